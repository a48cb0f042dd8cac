import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { World } from "./support/world";

describe("dr status", () => {
    let world: World;
    beforeEach(async () => { world = await new World().start(); });
    afterEach(async () => { await world.stop(); });

    it("healthy: exit 0, with DNS, both sides, snapshot sets and the verdict", async () => {
        assert.equal((await world.run(["backup", "--yes"])).code, 0);
        const r = await world.run(["status", "--json"]);
        assert.equal(r.code, 0, r.out);
        const s = JSON.parse(r.out) as { dns: { serving: string }; verdict: { state: string; writer: string; failoverSafe: boolean; wouldLose: string }; snapshots: { gcp: { setId: string } } };
        assert.equal(s.dns.serving, "aws");
        assert.deepEqual([s.verdict.state, s.verdict.writer, s.verdict.failoverSafe], ["healthy", "aws", true]);
        assert.match(s.verdict.wouldLose, /about 1\.5 s/);
        assert.equal(s.snapshots.gcp.setId, "set-0001");
    });

    it("degraded: exit 1 when the standby lags beyond the RPO, and says so", async () => {
        assert.equal((await world.run(["backup", "--yes"])).code, 0);
        Object.assign(world.service.gcp.state, { lagSeconds: 8_000, fitForFailover: false, reason: "lag above the RPO" });
        const r = await world.run(["status"]);
        assert.equal(r.code, 1);
        assert.match(r.out, /DEGRADED/);
        assert.match(r.out, /failover now: NOT safe; it would lose about 8000\.0 s/);
    });

    it("degraded when a health check is inverted or disabled (Route53 would read a dead side healthy)", async () => {
        assert.equal((await world.run(["backup", "--yes"])).code, 0);
        world.dns.checks.get("hc-gcp")!.disabled = true;
        const r = await world.run(["status"]);
        assert.equal(r.code, 1);
        assert.match(r.out, /health check of gcp is disabled/);
    });

    it("cannot determine: exit 2 when Route53 does not answer", async () => {
        await world.dns.stop();
        const r = await world.run(["status"]);
        assert.equal(r.code, 2);
        assert.match(r.out, /UNKNOWN/);
    });
});
