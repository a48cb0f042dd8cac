import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { CommanderError } from "commander";
import { EXIT, handleError, main } from "../../policies/check/cli";
import { InputError } from "../../policies/check/config";
import { PackError } from "../../policies/check/analyzer";
import { runProcess } from "../support/process";

/**
 * `npm run check` never exits 0 unless the pack ran and found no mandatory violation: not when
 * the pack cannot start, not on an error nobody expected.
 */

const ROOT = path.join(__dirname, "..", "..");
const CLI = path.join(ROOT, "policies", "check", "cli.ts");

let dir: string;
let emptyState: string;
before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-exit-"));
    emptyState = path.join(dir, "state.json");
    fs.writeFileSync(emptyState, JSON.stringify({
        version: 3,
        deployment: { resources: [{ urn: "urn:pulumi:prod::langchain-ha::pulumi:pulumi:Stack::langchain-ha-prod", type: "pulumi:pulumi:Stack", custom: false }] },
    }));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI as `npm run check` does, with `preload` required into every node process it starts. */
function checkWith(preload: string, ...args: string[]) {
    const file = path.join(dir, `preload-${Math.random().toString(36).slice(2)}.cjs`);
    fs.writeFileSync(file, preload);
    return runProcess(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: `--require ${file}` } });
}

/** Runs `fn` and returns its result with what it wrote to stderr. */
async function stderrOf(fn: () => number | Promise<number>): Promise<{ code: number; stderr: string }> {
    const write = process.stderr.write;
    let stderr = "";
    process.stderr.write = ((chunk: string | Uint8Array) => {
        stderr += chunk.toString();
        return true;
    }) as typeof process.stderr.write;
    try {
        return { code: await fn(), stderr };
    } finally {
        process.stderr.write = write;
    }
}

describe("check exit codes (exact)", () => {
    it("documents 0 clean, 1 violations, 2 bad input or a pack that failed", () => {
        assert.deepEqual(EXIT, { ok: 0, violations: 1, badInput: 2 });
    });

    it("exits 2 with one line when the policy pack's process cannot start (--transport grpc)", async () => {
        const run = await checkWith(
            'if (process.argv.some((a) => a.includes("run-policy-pack"))) { process.stderr.write("Error: cannot load the pack\\n"); process.exit(7); }',
            "--state", emptyState, "--transport", "grpc",
        );
        assert.equal(run.code, 2, run.stderr);
        assert.equal(run.stdout, "");
        assert.deepEqual(run.stderr.trim().split("\n"), ["check: the policy pack failed to start: it exited with code 7 (Error: cannot load the pack)"]);
    });

    it("exits 2 with one line when the policy pack cannot load in-process", async () => {
        // The pack's entry fails as it requires @pulumi/policy; the check itself never requires it.
        const run = await checkWith(
            [
                'const Module = require("node:module");',
                "const load = Module._load;",
                'Module._load = function (request, parent, ...rest) { if (request === "@pulumi/policy" && parent && parent.filename.endsWith("index.ts")) throw new Error("cannot load the pack\\nsecond line"); return load.call(this, request, parent, ...rest); };',
            ].join("\n"),
            "--state", emptyState,
        );
        assert.equal(run.code, 2, run.stderr);
        assert.equal(run.stdout, "");
        assert.deepEqual(run.stderr.trim().split("\n"), ["check: the policy pack failed to start: cannot load the pack"]);
    });

    it("exits 2 with one line on an error nobody expected", async () => {
        // stdout goes away as the report is written: no InputError, no PackError, a plain Error.
        const run = await checkWith(
            [
                'if (process.argv.some((a) => a.endsWith("cli.ts"))) {',
                "  const write = process.stdout.write.bind(process.stdout);",
                '  process.stdout.write = (chunk, ...rest) => { if (String(chunk).length > 0) throw new Error("stdout is gone"); return write(chunk, ...rest); };',
                "}",
            ].join("\n"),
            "--state", emptyState,
        );
        assert.equal(run.code, 2, run.stderr);
        assert.deepEqual(run.stderr.trim().split("\n"), ["check: unexpected error: stdout is gone"]);
    });

    it("handleError: every error is exit 2 with one prefixed line, except help and version (exit 0)", async () => {
        assert.deepEqual(await stderrOf(() => handleError(new Error("boom\nat somewhere"))), { code: 2, stderr: "check: unexpected error: boom\n" });
        assert.deepEqual(await stderrOf(() => handleError("a string")), { code: 2, stderr: "check: unexpected error: a string\n" });
        assert.deepEqual(await stderrOf(() => handleError(new PackError("the policy pack failed to start: it exited with code 1"))), { code: 2, stderr: "check: the policy pack failed to start: it exited with code 1\n" });
        assert.deepEqual(await stderrOf(() => handleError(new InputError("--format must be table or json"))), { code: 2, stderr: "check: --format must be table or json\n" });
        assert.deepEqual(await stderrOf(() => handleError(new CommanderError(1, "commander.unknownOption", "error: unknown option '--x'"))), { code: 2, stderr: "check: unknown option '--x'\n" });
        assert.deepEqual(await stderrOf(() => handleError(new CommanderError(0, "commander.helpDisplayed", "(outputHelp)"))), { code: 0, stderr: "" });
    });

    it("main: no options is bad input, exit 2", async () => {
        assert.deepEqual(await stderrOf(() => main([])), { code: 2, stderr: "check: give exactly one of --stack <name> or --state <file>\n" });
    });
});
