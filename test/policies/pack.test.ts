import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { InputError, readPolicyConfig } from "../../policies/check/config";
import type { Analyzer } from "../../policies/check/analyzer";
import { PackHost } from "../../policies/check/host";
import { InProcessPack } from "../../policies/check/inprocess";
import { analyzeRequest } from "../../policies/check/requests";
import { exitCodeOf, runCheck, TRANSPORTS } from "../../policies/check/run";
import { SETTINGS_POLICY } from "../../policies/lib/settings";
import { registry } from "../../policies/rules";
import { FIXTURES, stackOfFixture, urnOf } from "./harness";
import { plannedExport } from "./planned";

const CONFIG = path.join(FIXTURES, "config");
const config = (name: string) => readPolicyConfig(path.join(CONFIG, name));
const DB_POLICY = "aws-rds-instance-enable-multi-az";

const singleAzDb = stackOfFixture([
    { type: "pulumi:pulumi:Stack", name: "langchain-ha-test", props: {} },
    { type: "aws:rds/instance:Instance", name: "app-db", props: { engine: "postgres", instanceClass: "db.r6g.large", multiAz: false, deletionProtection: true } },
]);

// The pack's own process (as the engine runs it) for the whole file; the in-process pack is loaded once per process anyway.
let packProcess: PackHost;
before(async () => {
    packProcess = await PackHost.start();
});
after(() => packProcess.close());

// Both ways `npm run check` reaches the pack: the same answers.
for (const transport of TRANSPORTS) {
    describe(`over ${transport}`, () => {
        let host: Analyzer;
        before(async () => {
            host = transport === "grpc" ? packProcess : await InProcessPack.start();
        });

        describe("the pack as the engine loads it", () => {
            it("describes itself over GetAnalyzerInfo", async () => {
                const info = await host.info();
                assert.equal(info.name, "no-single-point-of-failure");
                assert.equal(info.version, "0.1.0");
                assert.deepEqual(info.policies.map((p) => p.name), [SETTINGS_POLICY, ...registry.all().map((r) => r.name)]);
                for (const rule of registry.all()) {
                    assert.equal(info.policies.find((p) => p.name === rule.name)?.enforcementLevel, rule.enforcementLevel);
                }
                assert.deepEqual(Object.keys(info.policies[0]?.configSchema ?? {}).sort(), ["exemptions", "maxRtoSeconds", "minAzs", "minQdrantReplicas", "minReplicas"]);
            });

            it("reports a violation as mandatory by default", async () => {
                const { findings } = await runCheck(singleAzDb, { host });
                assert.deepEqual(findings, [
                    {
                        policy: DB_POLICY,
                        level: "mandatory",
                        urn: urnOf("aws:rds/instance:Instance", "app-db"),
                        message: 'RDS instance "app-db" runs in a single AZ, so losing that AZ takes the database down; set multiAz: true.',
                    },
                ]);
            });

            it("says it cannot decide, as advisory, when a value is unknown", async () => {
                const preview = stackOfFixture([{ type: "aws:rds/instance:Instance", name: "app-db", props: { engine: "postgres", multiAz: "<unknown>", deletionProtection: true } }]);
                const { findings } = await runCheck(preview, { host });
                assert.deepEqual(findings.map((f) => [f.policy, f.level]), [[DB_POLICY, "advisory"]]);
                assert.match(findings[0]?.message ?? "", /^Cannot decide aws-rds-instance-enable-multi-az for "app-db" during preview: .*multiAz/);
            });
        });

        describe("--policy-pack-config", () => {
            it("sets a rule's enforcement level", async () => {
                const advisory = await runCheck(singleAzDb, { host, config: config("advisory-rule.json") });
                assert.deepEqual(advisory.findings.map((f) => f.level), ["advisory"]);
                assert.equal(exitCodeOf(advisory.findings), 0);
                assert.deepEqual((await runCheck(singleAzDb, { host, config: config("disabled-rule.json") })).findings, []);
                const all = await runCheck(singleAzDb, { host, config: config("all-advisory.json") });
                assert.deepEqual(all.findings.map((f) => f.level), ["advisory"]);
            });

            it("sets thresholds for every rule", async () => {
                const { findings } = await runCheck(await plannedExport("prod"), { host, config: config("thresholds.json") });
                const replicas = findings.filter((f) => f.policy === "kubernetes-apps-workload-configure-replicas");
                assert.ok(replicas.length >= 1);
                assert.match(replicas[0]?.message ?? "", /can run fewer than 4 replicas/);
            });

            it("an active exemption silences the rule on that resource", async () => {
                assert.deepEqual((await runCheck(singleAzDb, { host, config: config("exemption-active.json") })).findings, []);
            });

            it("an expired exemption is a violation of its own and silences nothing", async () => {
                const { findings } = await runCheck(singleAzDb, { host, config: config("exemption-expired.json") });
                assert.deepEqual(
                    findings.map((f) => [f.policy, f.level, f.urn]),
                    [
                        [DB_POLICY, "mandatory", urnOf("aws:rds/instance:Instance", "app-db")],
                        [SETTINGS_POLICY, "mandatory", urnOf("aws:rds/instance:Instance", "app-db")],
                    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
                );
                assert.equal(
                    findings.find((f) => f.policy === SETTINGS_POLICY)?.message,
                    'The exemption from aws-rds-instance-enable-multi-az for "app-db" expired on 2020-01-31 (reason given: Single-AZ until the Aurora migration lands); fix the resource or renew the exemption\'s expires date.',
                );
            });

            for (const [file, message] of [
                ["unknown-policy.json", '--policy-pack-config: unknown policy "aws-rds-instance-enable-multiaz" (not in no-single-point-of-failure)'],
                ["unknown-exemption-policy.json", '--policy-pack-config: exemption names unknown policy "no-such-rule"'],
                ["bad-threshold.json", `--policy-pack-config: ${SETTINGS_POLICY}: minReplicas: Too small: expected number to be >=1`],
            ] as const) {
                it(`rejects ${file}`, async () => {
                    await assert.rejects(runCheck(singleAzDb, { host, config: config(file) }), (e: unknown) => e instanceof InputError && e.message === message);
                });
            }

            it("rejects an invalid level and malformed JSON when reading the file", () => {
                assert.throws(() => config("bad-level.json"), /"sometimes" is not a valid enforcement level for "aws-rds-instance-enable-multi-az"/);
                assert.throws(() => config("malformed.json"), /is not valid JSON/);
            });
        });
    });
}

describe("remediation", () => {
    it("sets multiAz: true when the rule's level is remediate", async () => {
        await runCheck(singleAzDb, { host: packProcess, config: config("remediate-rule.json") });
        const exported = singleAzDb.deployment.resources;
        const db = exported.find((r) => r.type === "aws:rds/instance:Instance");
        assert.ok(db);
        const resp = await new Promise<pb.RemediateResponse>((resolve, reject) =>
            packProcess.client.remediate(analyzeRequest(db, new Map()), (err, res) => (err ? reject(err) : resolve(res))),
        );
        const remediations = resp.getRemediationsList();
        assert.deepEqual(remediations.map((r) => r.getPolicyname()), [DB_POLICY]);
        const props = (remediations[0]?.getProperties() as Struct).toJavaScript();
        assert.equal(props["multiAz"], true);
        assert.equal(props["engine"], "postgres");
    });
});
