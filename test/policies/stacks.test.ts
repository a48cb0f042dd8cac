import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { listStacks } from "../../infra/plan";
import type { StackExport } from "../../infra/plan/stackExport";
import { PackHost } from "../../policies/check/host";
import { InProcessPack } from "../../policies/check/inprocess";
import { exitCodeOf, runCheck, type CheckResult } from "../../policies/check/run";
import { PLANTED_SPOFS, planted, plannedExport } from "./planned";

// One pack process for the whole file: starting it type-checks the pack and takes seconds.
let host: PackHost;
let inProcess: InProcessPack;
before(async () => {
    host = await PackHost.start();
    inProcess = await InProcessPack.start();
});
after(() => host.close());

/** The check over gRPC (the pack's own process, as the engine runs it), after asserting that the in-process check finds the very same. */
async function checkBothWays(state: StackExport): Promise<CheckResult> {
    const [overGrpc, direct] = [await runCheck(state, { host }), await runCheck(state, { host: inProcess })];
    assert.deepEqual(direct.findings, overGrpc.findings, "in-process and over gRPC");
    return overGrpc;
}

describe("clean stacks pass", () => {
    for (const stack of listStacks()) {
        it(stack, async () => {
            const result = await checkBothWays(await plannedExport(stack));
            assert.deepEqual(result.findings, []);
            assert.equal(exitCodeOf(result.findings), 0);
        });
    }
});

describe("each planted single point of failure fails the check with the named rule", () => {
    for (const spof of PLANTED_SPOFS) {
        const rule = spof.rule;
        it(`${rule}: ${spof.name}`, async () => {
            const result = await checkBothWays(planted(await plannedExport("prod"), spof));
            const mandatory = result.findings.filter((f) => f.level === "mandatory");
            assert.ok(
                mandatory.some((f) => f.policy === rule),
                `expected a mandatory ${rule}, got: ${JSON.stringify(result.findings.map((f) => f.policy))}`,
            );
            assert.deepEqual([...new Set(mandatory.map((f) => f.policy))], [rule], "only the planted rule fails");
            assert.equal(exitCodeOf(result.findings), 1);
        });
    }
});
