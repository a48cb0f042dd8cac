import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { EngineProject, fixtureProject, PACK_DIR } from "./engine";

// The RTO rule judges health checks against the stack's own target, which the program states
// as the stack output `rtoTargetSeconds`: under the real engine's preview too, where the pack
// learns it from what the engine sends AnalyzeStack (test/engine/fixtures/rto-target: health
// checks that need 30 s x 10 + 300 s TTL = 600 s to fail over).

const RULE = "aws-route53-health-check-configure-rto";

describe("the RTO rule under the real engine follows the stack's own target", () => {
    let project: EngineProject;
    before(async () => {
        project = EngineProject.create(fixtureProject("rto-target"));
        for (const [stack, seconds] of [["relaxed", "900"], ["tight", "450"]] as const) {
            await project.initStack(stack);
            await project.must(["config", "set", "--stack", stack, "rto-target:rtoSeconds", seconds]);
        }
    });
    after(() => project.close());

    const preview = (stack: string) => project.pulumi(["preview", "--stack", stack, "--policy-pack", PACK_DIR]);

    it("passes a 600 s failover against a stated 900 s target, above the pack's 300 s fallback", async () => {
        const r = await preview("relaxed");
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        assert.ok(!r.stdout.includes(RULE), r.stdout);
    });

    it("fails it against a stated 450 s target, naming the stack keys to change", async () => {
        const r = await preview("tight");
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stdout, new RegExp(`\\[mandatory\\] \\[severity: \\w+\\]\\s+${RULE}`));
        const flat = r.stdout.replace(/\s+/g, " ");
        assert.ok(flat.includes('Health check "hc-primary" needs 30 s x 10 + 300 s ttl of record "dns-primary" = 600 s to fail over, more than the stack\'s 450 s RTO target (output rtoTargetSeconds)'), r.stdout);
        assert.ok(flat.includes("(stack keys langchain-ha:dns.healthCheck.intervalSeconds, dns.healthCheck.failureThreshold, dns.ttlSeconds) or raise langchain-ha:dr.rtoMinutes."), r.stdout);
    });
});
