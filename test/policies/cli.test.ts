import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { runProcess, type ProcessResult } from "../support/process";
import { FIXTURES } from "./harness";
import { planted, plantedSpof, plannedExport } from "./planned";

const ROOT = path.join(__dirname, "..", "..");
const CLI = path.join(ROOT, "policies", "check", "cli.ts");

/** Runs the CLI as `npm run check` does (tsx policies/check/cli.ts). */
function check(...args: string[]): Promise<ProcessResult> {
    return runProcess(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT });
}

const fixture = (...p: string[]) => path.join(FIXTURES, ...p);

// `--state` files: the planned prod stack, and prod with one planted SPOF each.
let dir: string;
let prodResources: number;
const state = (name: string) => path.join(dir, `${name}.json`);
before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-cli-"));
    const prod = await plannedExport("prod");
    prodResources = prod.deployment.resources.length;
    fs.writeFileSync(state("prod"), JSON.stringify(prod));
    for (const [rule, name] of [
        ["aws-route53-record-missing-secondary", "no-secondary"],
        ["aws-s3-bucket-enable-versioning", "no-versioning"],
    ] as const) {
        fs.writeFileSync(state(name), JSON.stringify(planted(prod, plantedSpof(rule, name))));
    }
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function assertOneLine(run: ProcessResult, pattern: RegExp) {
    assert.equal(run.code, 2, run.stderr);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `one line, got: ${run.stderr}`);
    assert.match(lines[0] ?? "", pattern);
    assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
}

describe("npm run check", { concurrency: 2 }, () => {
    it("exits 0 on a clean stack export, with a summary line", async () => {
        const run = await check("--state", state("prod"));
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout.trim(), `passed: 0 mandatory, 0 advisory violations in ${prodResources} resources`);
    });

    it("exits 1 on a planted SPOF and prints a table grouped by resource", async () => {
        const run = await check("--state", state("no-secondary"));
        assert.equal(run.code, 1, run.stderr);
        const lines = run.stdout.trim().split("\n");
        assert.match(lines[0] ?? "", /^prod-dns-primary {2}\(urn:pulumi:prod::langchain-ha::.*::prod-dns-primary\)$/);
        assert.match(lines[1] ?? "", /^ {2}aws-route53-record-missing-secondary {2}mandatory {2}Failover PRIMARY record "prod-dns-primary" has no SECONDARY/);
        assert.equal(lines[lines.length - 1], `FAILED: 1 mandatory, 0 advisory violations in ${prodResources - 1} resources`);
    });

    it("--format json prints a summary (verdict, counts by level and severity, exemptions) and the findings", async () => {
        const run = await check("--state", state("no-versioning"), "--format", "json");
        assert.equal(run.code, 1, run.stderr);
        const report = JSON.parse(run.stdout) as { summary: Record<string, unknown>; findings: Record<string, unknown>[] };
        assert.deepEqual(report.summary, { verdict: "failed", resources: prodResources - 1, findings: 1, byLevel: { mandatory: 1, advisory: 0 }, bySeverity: { high: 1 }, exemptions: [] });
        assert.deepEqual(Object.keys(report.findings[0] ?? {}), ["policy", "level", "severity", "urn", "message"]);
        assert.deepEqual(report.findings.map((f) => f["policy"]), ["aws-s3-bucket-enable-versioning"]);
    });

    it("-f json lists the config's exemptions, expired ones marked; -c and relative paths from the user's directory", async () => {
        const config = {
            "pack-config-settings-enforce-validity": {
                exemptions: [
                    { policy: "aws-s3-bucket-enable-versioning", resource: "*", reason: "migration", expires: "2999-01-01" },
                    { policy: "aws-s3-bucket-enable-versioning", resource: "old-*", reason: "gone", expires: "2001-01-01" },
                ],
            },
        };
        fs.writeFileSync(path.join(dir, "exempt.json"), JSON.stringify(config));
        const env = { ...process.env, INIT_CWD: dir, npm_package_json: path.join(ROOT, "package.json") };
        const run = await runProcess(process.execPath, ["--import", "tsx", CLI, "--state", "no-versioning.json", "-c", "exempt.json", "-f", "json"], { cwd: ROOT, env });
        const report = JSON.parse(run.stdout) as { summary: { exemptions: { expired: boolean; resource: string }[]; byLevel: Record<string, number> } };
        assert.deepEqual(report.summary.exemptions.map((e) => [e.resource, e.expired]), [["*", false], ["old-*", true]]);
        assert.equal(report.summary.byLevel["mandatory"], 1, "the expired exemption is itself a violation");
    });

    it("--version, and help with short flags, examples and exit codes", async () => {
        const version = await check("-V");
        assert.equal(version.code, 0);
        assert.equal(version.stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
        const help = await check("--help");
        for (const text of ["-s, --stack <name>", "-c, --policy-pack-config <file>", "-f, --format <format>", "Examples:", "npm run -s check", "Exit codes:", "  1  at least one mandatory violation"]) {
            assert.ok(help.stdout.includes(text), `help shows ${text}`);
        }
    });

    it("colours levels only when asked (never when piped, never with NO_COLOR)", async () => {
        const piped = await check("--state", state("no-versioning"));
        assert.ok(!piped.stdout.includes("\u001b["), "no escape codes when piped");
        const env = { ...process.env, FORCE_COLOR: "1", NO_COLOR: "" };
        const forced = await runProcess(process.execPath, ["--import", "tsx", CLI, "--state", state("no-versioning")], { cwd: ROOT, env });
        assert.ok(forced.stdout.includes("\u001b[31mmandatory"), forced.stdout);
        const off = await runProcess(process.execPath, ["--import", "tsx", CLI, "--state", state("no-versioning")], { cwd: ROOT, env: { ...env, NO_COLOR: "1" } });
        assert.ok(!off.stdout.includes("\u001b["), "NO_COLOR wins");
    });

    it("--policy-pack-config applies like the Pulumi CLI's flag", async () => {
        const run = await check(
            "--state", state("no-versioning"),
            "--policy-pack-config", fixture("config", "all-advisory.json"),
        );
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /passed: 0 mandatory, 1 advisory violation in/);
    });

    it("--stack runs the program under mocks and checks it", async () => {
        const run = await check("--stack", "prod");
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stdout, /^passed: 0 mandatory, 0 advisory violations in \d+ resources$/m);
    });

    it("exits 2 with one line on an unknown stack", async () => {
        assertOneLine(await check("--stack", "nosuchstack"), /^check: .*nosuchstack/);
    });
    it("exits 2 with one line on an unreadable state file", async () => {
        assertOneLine(await check("--state", fixture("state", "missing.json")), /^check: cannot read --state .*missing\.json: ENOENT$/);
    });
    it("exits 2 with one line on a malformed state file", async () => {
        assertOneLine(await check("--state", fixture("state", "truncated.json")), /^check: .*truncated\.json is not valid JSON/);
        assertOneLine(await check("--state", fixture("state", "version-2.json")), /^check: .*version-2\.json is not a pulumi stack export at version: only deployment version 3/);
        assertOneLine(await check("--state", fixture("state", "bad-urn.json")), /^check: .*bad-urn\.json is not a pulumi stack export at deployment\.resources\.0\.urn/);
    });
    it("exits 2 with one line on bad options or config", async () => {
        assertOneLine(await check(), /^check: give exactly one of --stack <name> or --state <file>$/);
        assertOneLine(await check("--stack", "prod", "--state", "x.json"), /^check: give exactly one of --stack <name> or --state <file>$/);
        assertOneLine(await check("--state", "x.json", "--format", "xml"), /^check: --format must be table or json$/);
        assertOneLine(await check("--bogus"), /^check: unknown option '--bogus'$/);
        assertOneLine(
            await check("--state", state("prod"), "--policy-pack-config", fixture("config", "unknown-policy.json")),
            /^check: --policy-pack-config: unknown policy "aws-rds-instance-enable-multiaz"/,
        );
    });
});
