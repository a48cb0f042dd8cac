import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { World } from "./support/world";

const STEPS = ["preflight", "scale-target", "promote", "move-dns", "verify", "update-config"] as const;

/** Makes one step's first call fail, as a crash or an API error in the middle of that step. */
function breakStep(world: World, step: (typeof STEPS)[number]): void {
    switch (step) {
        case "preflight": world.kube.gcp.failNext.set("readDeployment", 1); break;
        case "scale-target": world.kube.gcp.failNext.set("readDeploymentScale", 1); break;
        case "promote": world.service.gcp.failNext.set("POST /admin/v1/promote", 1); break;
        // The SDK makes 3 attempts: fail them all.
        case "move-dns": world.dns.failNext.set("ChangeResourceRecordSets", 3); break;
        case "verify": world.dns.failNext.set("TestDNSAnswer", 6); break;
        case "update-config": {
            // Once the run verifies, the stack file becomes unwritable (a directory in its place).
            const file = path.join(world.stacksDir, `Pulumi.${world.stack}.yaml`);
            world.service.gcp.onRequest = (key) => {
                if (key !== "GET /health" || world.service.gcp.state.role !== "active" || fs.existsSync(`${file}.aside`)) return;
                fs.renameSync(file, `${file}.aside`);
                fs.mkdirSync(file);
            };
            break;
        }
    }
}

describe("dr failover", () => {
    let world: World;
    beforeEach(async () => { world = await new World().start(); });
    afterEach(async () => { await world.stop(); });

    it("happy path: scales, promotes, flips the records, verifies and records the new active side", async () => {
        const r = await world.run(["failover", "--to", "gcp", "--yes", "--json"]);
        assert.equal(r.code, 0, r.err);
        const report = JSON.parse(r.out) as { epoch: number; promoteMode: string; rtoSeconds: number; withinRto: boolean; unreplicatedEntries: number };
        assert.equal(report.epoch, 2);
        assert.equal(report.promoteMode, "planned");
        assert.equal(report.withinRto, true);
        assert.equal(report.unreplicatedEntries, 0);
        assert.deepEqual(world.kube.gcp.deployments.get("langchain-app"), { replicas: 3, readyReplicas: 3 });
        assert.equal(world.kube.gcp.autoscalers.get("langchain-app")!.minReplicas, 3);
        assert.deepEqual(world.dns.answer("rag.example.com"), ["gcp.rag.example.com"]);
        assert.deepEqual(world.dns.records.map((x) => `${x.setIdentifier}:${x.failover}`).sort(), ["aws-secondary:SECONDARY", "gcp-primary:PRIMARY"]);
        assert.match(world.stackFile(), /activeSide: gcp/);
        assert.equal(world.service.gcp.state.role, "active");
        assert.equal(world.service.aws.state.fenced, true);
        // The failed side's cluster was never called.
        assert.equal([...world.kube.aws.calls.values()].reduce((a, b) => a + b, 0), 0);
        const events = world.audit().map((e) => `${e.event}${e.step ? `:${e.step}` : ""}`);
        assert.deepEqual(events.filter((e) => e.startsWith("step-done")), STEPS.map((s) => `step-done:${s}`));
        assert.ok(world.audit().every((e) => typeof e.at === "string"));
        assert.ok(world.audit().filter((e) => e.event === "step-done").every((e) => typeof e.ms === "number"));
    });

    it("dry run prints the numbered steps and changes nothing", async () => {
        const before = world.stackFile();
        const r = await world.run(["failover", "--to", "gcp", "--dry-run"]);
        assert.equal(r.code, 0, r.err);
        for (const [i, step] of ["Pre-flight", "Scale gcp", "Promote gcp", "Make gcp Route53's PRIMARY", "Verify", "Record the new active side"].entries()) assert.match(r.err, new RegExp(`${i + 1}\\. ${step}`));
        assert.match(r.err, /dry run: nothing was changed/);
        assert.equal(world.stackFile(), before);
        assert.equal(fs.existsSync(world.stateDir), false);
        assert.equal(world.service.gcp.calls.get("POST /admin/v1/promote"), undefined);
        assert.equal(world.dns.calls.get("ChangeResourceRecordSets"), undefined);
        assert.equal(world.kube.gcp.calls.get("replaceDeploymentScale"), undefined);
    });

    it("asks before acting; no answer changes nothing and exits 3", async () => {
        const r = await world.run(["failover", "--to", "gcp"], { confirm: false });
        assert.equal(r.code, 3);
        assert.match(r.err, /not confirmed/);
        assert.equal(world.service.gcp.calls.get("POST /admin/v1/promote"), undefined);
        const yes = await world.run(["failover", "--to", "gcp"], { confirm: true });
        assert.equal(yes.code, 0, yes.err);
    });

    it("refuses when the follower lags beyond the RPO, and states what a failover would lose", async () => {
        Object.assign(world.service.gcp.state, { lagSeconds: 9_000, fitForFailover: false, reason: "lag above REPLICATION_MAX_LAG_SECONDS", healthStatus: 503 });
        const r = await world.run(["failover", "--to", "gcp", "--yes"]);
        assert.equal(r.code, 1);
        assert.match(r.err, /refused: follower on gcp lags beyond the RPO of 7200 s .*loses about 9000 s/);
        assert.equal(world.service.gcp.calls.get("POST /admin/v1/promote"), undefined);
        assert.equal(fs.existsSync(path.join(world.stateDir, `${world.stack}.state.json`)), false, "a refused pre-flight leaves no run to resume");
        const accepted = await world.run(["failover", "--to", "gcp", "--yes", "--accept-data-loss"]);
        assert.equal(accepted.code, 0, accepted.err);
    });

    it("refuses when the target is not ready: /health 503, no Deployment, cluster unreachable", async () => {
        world.service.gcp.state.healthStatus = 503;
        let r = await world.run(["failover", "--to", "gcp", "--yes"]);
        assert.equal(r.code, 1);
        assert.match(r.err, /target not ready: gcp \/health answered 503/);
        world.service.gcp.state.healthStatus = 200;
        world.kube.gcp.deployments.delete("langchain-app");
        r = await world.run(["failover", "--to", "gcp", "--yes"]);
        assert.equal(r.code, 1);
        assert.match(r.err, /target not ready: no Deployment langchain-ha\/langchain-app on gcp/);
        await world.kube.gcp.stop();
        r = await world.run(["failover", "--to", "gcp", "--yes"]);
        assert.equal(r.code, 1);
        assert.match(r.err, /target not ready: the gcp cluster is unreachable/);
    });

    it("auto mode promotes unplanned when the old writer cannot be fenced, and reports the window", async () => {
        world.service.gcp.state.plannedConflict = true;
        const r = await world.run(["failover", "--to", "gcp", "--yes", "--json"]);
        assert.equal(r.code, 0, r.err);
        const report = JSON.parse(r.out) as { promoteMode: string; unreplicatedEntries: number };
        assert.equal(report.promoteMode, "unplanned");
        assert.equal(report.unreplicatedEntries, 3);
        const planned = await new World().start();
        try {
            planned.service.gcp.state.plannedConflict = true;
            const p = await planned.run(["failover", "--to", "gcp", "--yes", "--mode", "planned"]);
            assert.equal(p.code, 1);
            assert.match(p.err, /planned promotion refused/);
        } finally {
            await planned.stop();
        }
    });

    it("pilot light: replication is checked after the scale-up", async () => {
        const pilot = await new World("dev", "pilot-light").start();
        try {
            await pilot.service.gcp.stop(); // no pod serves before the scale-up
            const r = await pilot.run(["failover", "--to", "gcp", "--yes"]);
            assert.equal(r.code, 1);
            assert.match(r.err, /pilot light/);
            assert.equal(pilot.kube.gcp.deployments.get("langchain-app")!.replicas, 3, "scaled to full capacity before the check");
        } finally {
            await pilot.stop();
        }
    });

    it("running it again when everything is done changes nothing", async () => {
        assert.equal((await world.run(["failover", "--to", "gcp", "--yes"])).code, 0);
        const again = await world.run(["failover", "--to", "gcp", "--yes"]);
        assert.equal(again.code, 0, again.err);
        assert.equal(world.dns.calls.get("ChangeResourceRecordSets"), 1);
        assert.equal(world.service.gcp.calls.get("POST /admin/v1/promote"), 1);
    });

    for (const [index, step] of STEPS.entries()) {
        it(`resumes after a crash at step ${index + 1} (${step}) and does every effect exactly once`, async () => {
            breakStep(world, step);
            const first = await world.run(["failover", "--to", "gcp", "--yes", "--dns-timeout", "1"]);
            assert.equal(first.code, 1, first.err);
            const statePath = path.join(world.stateDir, `${world.stack}.state.json`);
            if (step !== "preflight") {
                const state = JSON.parse(fs.readFileSync(statePath, "utf8")) as { state: string };
                assert.equal(state.state, `failed:${step}`);
                assert.match(first.err, new RegExp(`resumes at ${step}`));
            }
            const file = path.join(world.stacksDir, `Pulumi.${world.stack}.yaml`);
            if (fs.existsSync(`${file}.aside`)) {
                world.service.gcp.onRequest = undefined;
                fs.rmdirSync(file);
                fs.renameSync(`${file}.aside`, file);
            }
            const second = await world.run(["failover", "--to", "gcp", "--yes"]);
            assert.equal(second.code, 0, second.err);
            for (const earlier of STEPS.slice(0, step === "preflight" ? 0 : index)) assert.match(second.err, new RegExp(`${earlier === "preflight" ? "Pre-flight" : ""}.*done earlier, still holds`));
            assert.equal(world.service.gcp.calls.get("POST /admin/v1/promote"), step === "promote" ? 2 : 1, "the promotion's effect happened once (a failed call plus one)");
            assert.equal(world.dns.calls.get("ChangeResourceRecordSets"), step === "move-dns" ? 4 : 1, "three failed attempts of the one change, then the change");
            assert.equal(world.service.gcp.state.epoch, 2);
            assert.deepEqual(world.dns.answer("rag.example.com"), ["gcp.rag.example.com"]);
            assert.match(world.stackFile(), /activeSide: gcp/);
            assert.ok(world.audit().some((e) => e.event === "run-resume") || step === "preflight");
        });
    }

    it("refuses another command while a run is unfinished", async () => {
        world.service.gcp.failNext.set("POST /admin/v1/promote", 1);
        assert.equal((await world.run(["failover", "--to", "gcp", "--yes"])).code, 1);
        const other = await world.run(["backup", "--yes"]);
        assert.equal(other.code, 1);
        assert.match(other.err, /an unfinished "failover --to gcp"/);
    });
});
