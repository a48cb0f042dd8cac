import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { exemptionMatches, findExemption, isExpired, parseSettings, type Settings } from "../../policies/lib/settings";
import { awsRdsInstanceEnableMultiAz } from "../../policies/rules/aws/rds/instance-enable-multi-az";
import { analyze, urnOf, type FixtureResource } from "./harness";

const DB: FixtureResource = { type: "aws:rds/instance:Instance", name: "app-db", props: { engine: "postgres", multiAz: false } };
const POLICY = awsRdsInstanceEnableMultiAz.name;

function settingsWith(exemptions: unknown[]): Settings {
    const parsed = parseSettings({ exemptions });
    assert.ok(parsed.ok);
    return parsed.settings;
}

describe("exemptions", () => {
    it("an active exemption by name silences the rule for that resource", async () => {
        const settings = settingsWith([{ policy: POLICY, resource: "app-db", reason: "migration to Aurora", expires: "2999-12-31" }]);
        assert.deepEqual(await analyze([awsRdsInstanceEnableMultiAz], [DB], settings), []);
    });
    it("a URN glob matches across the type's slashes", async () => {
        const settings = settingsWith([{ policy: POLICY, resource: "urn:pulumi:test::*::app-*", reason: "dev only", expires: "2999-12-31" }]);
        assert.deepEqual(await analyze([awsRdsInstanceEnableMultiAz], [DB], settings), []);
    });
    it("an exemption for another policy or resource does not silence it", async () => {
        for (const e of [
            { policy: "gcp-sql-database-instance-configure-regional", resource: "app-db", reason: "x", expires: "2999-12-31" },
            { policy: POLICY, resource: "other-db", reason: "x", expires: "2999-12-31" },
        ]) {
            const findings = await analyze([awsRdsInstanceEnableMultiAz], [DB], settingsWith([e]));
            assert.equal(findings.length, 1);
        }
    });
    it("an expired exemption no longer silences it", async () => {
        const settings = settingsWith([{ policy: POLICY, resource: "app-db", reason: "migration", expires: "2020-01-31" }]);
        const findings = await analyze([awsRdsInstanceEnableMultiAz], [DB], settings);
        assert.deepEqual(findings.map((f) => f.policy), [POLICY]);
    });
    it("expires at the end of its day, UTC", () => {
        const e = { policy: POLICY, resource: "app-db", reason: "r", expires: "2026-03-01" };
        assert.equal(isExpired(e, new Date("2026-03-01T23:59:59Z")), false);
        assert.equal(isExpired(e, new Date("2026-03-02T00:00:00Z")), true);
        const settings = settingsWith([e]);
        assert.ok(findExemption(settings, POLICY, urnOf(DB.type, DB.name), new Date("2026-03-01T12:00:00Z")));
        assert.equal(findExemption(settings, POLICY, urnOf(DB.type, DB.name), new Date("2026-03-02T12:00:00Z")), undefined);
    });
    it("matches a name exactly or a glob, not a prefix", () => {
        const e = { policy: POLICY, resource: "app", reason: "r", expires: "2999-01-01" };
        assert.equal(exemptionMatches(e, urnOf(DB.type, DB.name), "app-db"), false);
    });
});

describe("settings", () => {
    it("defaults are HA-safe; maxRtoSeconds is unset, so each stack is judged against its own RTO target", () => {
        const parsed = parseSettings({});
        assert.ok(parsed.ok);
        assert.deepEqual(
            { ...parsed.settings, exemptions: undefined },
            { minReplicas: 2, minQdrantReplicas: 3, minAzs: 2, exemptions: undefined },
        );
    });
    it("rejects bad thresholds, bad dates, missing reasons and unknown keys", () => {
        assert.deepEqual(parseSettings({ minReplicas: 0 }), { ok: false, error: "minReplicas: Too small: expected number to be >=1" });
        const bad = parseSettings({ exemptions: [{ policy: POLICY, resource: "x", reason: "", expires: "soon" }] });
        assert.equal(bad.ok, false);
        assert.match(bad.ok ? "" : bad.error, /exemptions\.0\.reason.*exemptions\.0\.expires: must be a date YYYY-MM-DD/);
        assert.equal(parseSettings({ minReplica: 2 }).ok, false);
    });
});
