import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PackHost } from "../../policies/check/host";
import { readStateFile } from "../../policies/check/input";
import { exitCodeOf, runCheck } from "../../policies/check/run";
import { FIXTURES } from "./harness";

const STACKS = path.join(FIXTURES, "stacks");
const files = fs.readdirSync(STACKS).filter((f) => f.endsWith(".json")).sort();

// One pack process for the whole file: starting it type-checks the pack and takes seconds.
let host: PackHost;
before(async () => {
    host = await PackHost.start();
});
after(() => host.close());

describe("clean stacks pass", () => {
    for (const file of files.filter((f) => f.startsWith("clean-"))) {
        it(file, async () => {
            const result = await runCheck(readStateFile(path.join(STACKS, file)), { host });
            assert.deepEqual(result.findings, []);
            assert.equal(exitCodeOf(result.findings), 0);
        });
    }
});

describe("each planted single point of failure fails the check with the named rule", () => {
    for (const file of files.filter((f) => f.startsWith("spof--"))) {
        const rule = file.split("--")[1] as string;
        it(file, async () => {
            const result = await runCheck(readStateFile(path.join(STACKS, file)), { host });
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
