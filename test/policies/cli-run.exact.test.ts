import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { main } from "../../policies/check/cli";
import { captureOutput } from "../support/output";

/** The CLI module: only what its code writes is taken. */
const CLI = path.join("policies", "check", "cli.ts");

/**
 * `npm run check` run in process on small state files (the pack starts as its own process, as
 * always): the exit code of a clean and a failing stack, the policy config reaching the pack, and
 * the JSON report's severities and exemptions.
 */

const CONFIG = path.join(__dirname, "fixtures", "config");
const STACK = { urn: "urn:pulumi:prod::langchain-ha::pulumi:pulumi:Stack::langchain-ha-prod", type: "pulumi:pulumi:Stack", custom: false };
const DB = {
    urn: "urn:pulumi:prod::langchain-ha::aws:rds/instance:Instance::app-db",
    type: "aws:rds/instance:Instance",
    custom: true,
    inputs: { engine: "postgres", multiAz: false, deletionProtection: true },
    outputs: { engine: "postgres", multiAz: false, deletionProtection: true },
};

let dir: string;
const state = (name: string) => path.join(dir, `${name}.json`);
before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-run-"));
    fs.writeFileSync(state("single-az-db"), JSON.stringify({ version: 3, deployment: { resources: [STACK, DB] } }));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs main; its exit code with what it wrote to stdout and stderr. */
async function check(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const { result, stdout, stderr } = await captureOutput(CLI, () => main(args));
    return { code: result, stdout, stderr };
}

describe("check runs (exact)", () => {
    it("a mandatory violation: exit 1, the table names the resource and the rule", async () => {
        const run = await check("--state", state("single-az-db"));
        assert.equal(run.code, 1, run.stderr);
        const lines = run.stdout.split("\n");
        assert.equal(lines[0], `app-db  (${DB.urn})`);
        assert.match(lines[1]!, /^ {2}aws-rds-instance-enable-multi-az {2}mandatory {2}/);
        assert.deepEqual(lines.slice(-2), ["FAILED: 1 mandatory, 0 advisory violations in 2 resources", ""]);
    });

    it("the policy config reaches the pack: a disabled rule finds nothing (a config without settings lists no exemptions)", async () => {
        const run = await check("--state", state("single-az-db"), "--policy-pack-config", path.join(CONFIG, "disabled-rule.json"), "--format", "json");
        assert.equal(run.code, 0, run.stderr);
        const report = JSON.parse(run.stdout) as { summary: { exemptions: unknown[]; findings: number }; findings: unknown[] };
        assert.deepEqual([report.findings, report.summary.findings, report.summary.exemptions], [[], 0, []]);
    });

    it("--format json: the findings with their rule's severity, and the config's exemptions", async () => {
        const failing = await check("--state", state("single-az-db"), "-f", "json");
        assert.equal(failing.code, 1, failing.stderr);
        assert.ok(failing.stdout.endsWith("}\n"));
        const report = JSON.parse(failing.stdout) as { summary: Record<string, unknown>; findings: Array<Record<string, unknown>> };
        assert.deepEqual(report.findings.map((f) => [f.policy, f.level, f.severity, f.urn]), [["aws-rds-instance-enable-multi-az", "mandatory", "critical", DB.urn]]);
        assert.deepEqual(report.summary.exemptions, []);
        const exempt = await check("--state", state("single-az-db"), "-c", path.join(CONFIG, "exemption-active.json"), "-f", "json");
        assert.equal(exempt.code, 0, exempt.stderr);
        const exempted = JSON.parse(exempt.stdout) as { summary: { exemptions: unknown[] }; findings: unknown[] };
        assert.deepEqual(exempted.findings, []);
        assert.deepEqual(exempted.summary.exemptions, [
            { policy: "aws-rds-instance-enable-multi-az", resource: "app-db", reason: "Single-AZ until the Aurora migration lands", expires: "2999-12-31", expired: false },
        ]);
    });
});
