import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { CommanderError } from "commander";
import { handleError, main, parseOptions } from "../../policies/check/cli";
import { InputError } from "../../policies/check/config";
import { captureOutput } from "../support/output";

/** The CLI module: only what its code writes is taken. */
const CLI = path.join("policies", "check", "cli.ts");

/**
 * `npm run check`'s options, in process and without the pack: what each accepts, the one line
 * and exit code each mistake gets, and the help that documents them.
 */

/** The InputError message parseOptions throws for `raw`. */
function refused(raw: unknown): string {
    try {
        parseOptions(raw);
    } catch (e) {
        assert.ok(e instanceof InputError, String(e));
        return e.message;
    }
    throw new Error(`accepted ${JSON.stringify(raw)}`);
}

/** `fn`'s exit code with what it wrote to stdout and stderr. */
async function captured(fn: () => number | Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
    const { result, stdout, stderr } = await captureOutput(CLI, fn);
    return { code: result, stdout, stderr };
}

describe("check options (exact)", () => {
    it("takes a stack name or a state file, table and the pack in-process by default", () => {
        assert.deepEqual(parseOptions({ stack: "prod-eu_2.b" }), { stack: "prod-eu_2.b", format: "table", transport: "in-process" });
        assert.deepEqual(parseOptions({ state: "s.json", policyPackConfig: "c.json", format: "json", transport: "grpc" }), {
            state: "s.json",
            policyPackConfig: "c.json",
            format: "json",
            transport: "grpc",
        });
    });

    it("refuses a stack name with other characters, wherever they are", () => {
        for (const stack of ["a b", "prod/eu", " prod", "prod ", ""]) assert.equal(refused({ stack }), "--stack must be a stack name such as prod", JSON.stringify(stack));
    });

    it("refuses empty paths, naming the option as typed", () => {
        assert.match(refused({ state: "" }), /^--state \S/);
        assert.match(refused({ state: "s.json", policyPackConfig: "" }), /^--policy-pack-config \S/);
    });

    it("refuses a format other than table or json", () => {
        assert.equal(refused({ state: "s.json", format: "xml" }), "--format must be table or json");
    });

    it("refuses a transport other than in-process or grpc", () => {
        for (const transport of ["http", "", "GRPC"]) assert.equal(refused({ state: "s.json", transport }), "--transport must be in-process or grpc", transport);
    });

    it("wants exactly one of --stack and --state", () => {
        assert.equal(refused({}), "give exactly one of --stack <name> or --state <file>");
        assert.equal(refused({ stack: "prod", state: "s.json" }), "give exactly one of --stack <name> or --state <file>");
    });
});

describe("check errors and help (exact)", () => {
    it("strips commander's own leading prefix only", async () => {
        assert.deepEqual(await captured(() => handleError(new CommanderError(1, "x", "option error: bad"))), { code: 2, stdout: "", stderr: "check: option error: bad\n" });
    });

    it("an unknown option or a bad value is one line on stderr, exit 2", async () => {
        assert.deepEqual(await captured(() => main(["--bogus"])), { code: 2, stdout: "", stderr: "check: unknown option '--bogus'\n" });
        assert.deepEqual(await captured(() => main(["--state", "s.json", "-f", "xml"])), { code: 2, stdout: "", stderr: "check: --format must be table or json\n" });
        assert.deepEqual(await captured(() => main(["--stack", "a b"])), { code: 2, stdout: "", stderr: "check: --stack must be a stack name such as prod\n" });
    });

    it("--help prints the options, examples and exit codes, exit 0", async () => {
        const { code, stdout, stderr } = await captured(() => main(["--help"]));
        assert.deepEqual([code, stderr], [0, ""]);
        // Commander wraps to the terminal's width: compared with runs of whitespace as one space.
        const flat = (text: string) => text.replace(/\s+/g, " ").trim();
        const help = flat(stdout);
        for (const line of [
            "Usage: check [options]",
            "Enforce the no-single-point-of-failure policy pack offline, through the same analyzer handlers as pulumi preview --policy-pack.",
            "-s, --stack <name> run the program for this stack under mocks (as npm run plan) and check it",
            "--state <file> check a `pulumi stack export` file (deployment version 3)",
            "-c, --policy-pack-config <file> policy config JSON, as for pulumi preview --policy-pack-config",
'-f, --format <format> table or json (default: "table")',
            '--transport <how> in-process (the pack loaded into this process) or grpc (the pack as its own process over the analyzer protocol, as pulumi preview runs it) (default: "in-process")',
            "npm run check -- --stack prod # the program under mocks, the pack in this process",
            "npm run check -- --stack prod --transport grpc # the same, the pack as its own process over gRPC",
            "npm run check -- --state prod-export.json # a `pulumi stack export` file",
            "  npm run -s check -- -s prod -c policy.json -f json | jq .summary  # JSON on a clean stdout (-s silences npm's banner)",
            "  0  no mandatory violation (advisory ones may be printed)",
            "  1  at least one mandatory violation",
            "  2  bad input (state file, stack, options, policy config) or the pack failed to start",
        ]) {
            assert.ok(help.includes(flat(line)), `help has: ${line}\n${stdout}`);
        }
    });
});
