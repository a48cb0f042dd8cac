import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { registry } from "../../policies/rules";
import { FIXTURES, analyze, readJson, type FixtureResource } from "./harness";

const DIR = path.join(FIXTURES, "false-positives");

// Each fixture runs against the whole pack: naming exactly which rules may fire catches a rule
// that fires where it has no business (Aurora as single-AZ, PDB checks with no PDB or HPA, ...).
describe("known false positives stay fixed", () => {
    for (const file of fs.readdirSync(DIR).sort()) {
        const fixture = readJson<{ shows: string; resources: FixtureResource[]; expectPolicies: string[] }>(path.join(DIR, file));
        it(`${file}: ${fixture.shows}`, async () => {
            const findings = await analyze(registry.all(), fixture.resources);
            assert.deepEqual([...new Set(findings.map((f) => f.policy))].sort(), fixture.expectPolicies);
        });
    }
});
