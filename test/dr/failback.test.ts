import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import { World } from "./support/world";

describe("dr failback", () => {
    let world: World;
    beforeEach(async () => {
        world = await new World().start();
        assert.equal((await world.run(["failover", "--to", "gcp", "--yes"])).code, 0);
        // The old primary came back and follows gcp's epoch.
        Object.assign(world.service.aws.state, { role: "standby", fenced: false, epoch: 2, position: { epoch: 2, seq: 10 }, head: { epoch: 2, seq: 10 }, lagSeconds: 0.5 });
    });
    afterEach(async () => { await world.stop(); });

    it("refuses while the old primary has not replayed the outage's epoch", async () => {
        Object.assign(world.service.aws.state, { position: { epoch: 2, seq: 4 }, lagSeconds: 30 });
        const r = await world.run(["failback", "--yes"]);
        assert.equal(r.code, 1);
        assert.match(r.err, /refused: aws has not replayed everything written during the outage \(position e2\/4, head e2\/10/);
        assert.equal(world.service.aws.calls.get("POST /admin/v1/promote"), undefined);
    });

    it("returns to aws in planned mode, and gcp to standby capacity", async () => {
        const r = await world.run(["failback", "--yes", "--json"]);
        assert.equal(r.code, 0, r.err);
        const report = JSON.parse(r.out) as { target: string; promoteMode: string; epoch: number };
        assert.equal(report.target, "aws");
        assert.equal(report.promoteMode, "planned");
        assert.equal(report.epoch, 3);
        assert.deepEqual(world.dns.answer("rag.example.com"), ["aws.rag.example.com"]);
        assert.equal(world.kube.gcp.deployments.get("langchain-app")!.replicas, 2);
        assert.equal(world.kube.gcp.autoscalers.get("langchain-app")!.minReplicas, 2);
        assert.match(world.stackFile(), /activeSide: aws/);
        assert.equal(world.service.gcp.state.fenced, true);
    });

    it("waits for Route53 to see the target healthy before fencing the side that serves", async () => {
        world.dns.setHealthy("hc-aws", false);
        const r = await world.run(["failback", "--yes", "--dns-timeout", "1"]);
        assert.equal(r.code, 1);
        assert.match(r.err, /Route53's health check of aws to read healthy: not after/);
        assert.equal(world.service.aws.calls.get("POST /admin/v1/promote"), undefined, "nothing fenced yet");
        world.dns.setHealthy("hc-aws", true);
        const again = await world.run(["failback", "--yes"]);
        assert.equal(again.code, 0, again.err);
        assert.match(again.err, /done earlier, still holds/);
    });

    it("dry run changes nothing", async () => {
        const before = world.stackFile();
        const r = await world.run(["failback", "--dry-run"]);
        assert.equal(r.code, 0, r.err);
        assert.match(r.err, /failback --to aws on stack staging/);
        assert.equal(world.stackFile(), before);
        assert.equal(world.service.aws.calls.get("POST /admin/v1/promote"), undefined);
    });
});
