import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { listStacks } from "../../infra/plan";
import { PackHost } from "../../policies/check/host";
import { exitCodeOf, runCheck } from "../../policies/check/run";
import { PLANTED_SPOFS, planted, plannedExport } from "./planned";

// One pack process for the whole file: starting it type-checks the pack and takes seconds.
let host: PackHost;
before(async () => {
    host = await PackHost.start();
});
after(() => host.close());

describe("clean stacks pass", () => {
    for (const stack of listStacks()) {
        it(stack, async () => {
            const result = await runCheck(await plannedExport(stack), { host });
            assert.deepEqual(result.findings, []);
            assert.equal(exitCodeOf(result.findings), 0);
        });
    }
});

describe("each planted single point of failure fails the check with the named rule", () => {
    for (const spof of PLANTED_SPOFS) {
        const rule = spof.rule;
        it(`${rule}: ${spof.name}`, async () => {
            const result = await runCheck(planted(await plannedExport("prod"), spof), { host });
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
