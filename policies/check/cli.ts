import { Command, CommanderError } from "commander";
import { z } from "zod";
import { errorLine, painter, userPath, useColour, withConventions } from "../../infra/cli/conventions";
import { loadPulumiLazily } from "../lib/lazy-pulumi";
import { isExpired, parseSettings, SETTINGS_POLICY } from "../lib/settings";
import { InputError, readPolicyConfig } from "./config";
import { PackError } from "./analyzer";
import { planStackExport, readStateFile } from "./input";
import { renderJson, renderTable, type ExemptionInForce } from "./render";
import { exitCodeOf, runCheck, TRANSPORTS } from "./run";

/** Exit codes: 0 no mandatory violation, 1 at least one, 2 bad input or the pack failed to run. */
export const EXIT = { ok: 0, violations: 1, badInput: 2 } as const;

const optionsSchema = z
    .object({
        stack: z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be a stack name such as prod").optional(),
        state: z.string().min(1).optional(),
        policyPackConfig: z.string().min(1).optional(),
        format: z.enum(["table", "json"], { error: "must be table or json" }).default("table"),
        transport: z.enum(TRANSPORTS, { error: `must be ${TRANSPORTS.join(" or ")}` }).default("in-process"),
    })
    .refine((o) => (o.stack === undefined) !== (o.state === undefined), { message: "give exactly one of --stack <name> or --state <file>" });

export type CheckCliOptions = z.infer<typeof optionsSchema>;

export function parseOptions(raw: unknown): CheckCliOptions {
    const parsed = optionsSchema.safeParse(raw);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field = issue && issue.path.length > 0 ? `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ` : "";
        throw new InputError(`${field}${issue?.message ?? "invalid options"}`);
    }
    return parsed.data;
}

/** The exemptions the policy config declares (the findings they silence never reach us). */
function exemptionsOf(config: ReturnType<typeof readPolicyConfig> | undefined): ExemptionInForce[] {
    const parsed = parseSettings(config?.[SETTINGS_POLICY]?.properties ?? {});
    if (!parsed.ok) return [];
    return parsed.settings.exemptions.map((e) => ({ ...e, expired: isExpired(e) }));
}

/**
 * The rules' severities, for the JSON report only: loading every rule loads @pulumi/policy and the
 * Pulumi SDK with it, so they load when needed, with the SDK's unused parts left for later
 * (lib/lazy-pulumi.ts; no effect once the program planned under --stack loaded the SDK).
 */
function severities(): (policy: string) => string {
    loadPulumiLazily();
    const { registry } = require("../rules") as typeof import("../rules");
    return (policy) => registry.get(policy)?.severity ?? "unknown";
}

async function check(raw: unknown): Promise<number> {
    const opts = parseOptions(raw);
    // Paths as the user typed them, from where they stand (npm runs scripts in the repository's root).
    const configFile = opts.policyPackConfig === undefined ? undefined : userPath(opts.policyPackConfig);
    const config = configFile ? readPolicyConfig(configFile) : undefined;
    // Read (or planned) while a pack process starts (--transport grpc); in-process, the pack has loaded by then.
    const state = opts.state;
    const read = state ? () => readStateFile(userPath(state)) : () => planStackExport(opts.stack as string);
    const result = await runCheck(read, { config, stack: opts.stack, transport: opts.transport });
    const out = opts.format === "json"
        ? renderJson(result.findings, result.resources, severities(), exemptionsOf(config))
        : renderTable(result.findings, result.resources, painter(useColour(process.stdout)));
    process.stdout.write(`${out}\n`);
    return exitCodeOf(result.findings);
}

/** One clear line, no stack trace, and the documented exit code. */
export function handleError(e: unknown): number {
    if (e instanceof CommanderError) {
        if (e.exitCode === 0) return EXIT.ok; // --help, --version
        process.stderr.write(`${errorLine("check", e.message.replace(/^error: /, ""))}\n`);
        return EXIT.badInput;
    }
    const message = e instanceof InputError || e instanceof PackError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    process.stderr.write(`${errorLine("check", message)}\n`);
    return EXIT.badInput;
}

export function program(): Command {
    const command = new Command("check")
        .description("Enforce the no-single-point-of-failure policy pack offline, through the same analyzer handlers as pulumi preview --policy-pack.")
        .option("-s, --stack <name>", "run the program for this stack under mocks (as npm run plan) and check it")
        .option("--state <file>", "check a `pulumi stack export` file (deployment version 3)")
        .option("-c, --policy-pack-config <file>", "policy config JSON, as for pulumi preview --policy-pack-config")
        .option("-f, --format <format>", "table or json", "table")
        .option("--transport <how>", "in-process (the pack loaded into this process) or grpc (the pack as its own process over the analyzer protocol, as pulumi preview runs it)", "in-process")
        .exitOverride()
        // Errors go through handleError: one line, one prefix.
        .configureOutput({ writeErr: () => undefined })
        .showHelpAfterError(false);
    return withConventions(command, "check", {
        examples: [
            ["npm run check -- --stack prod", "the program under mocks, the pack in this process"],
            ["npm run check -- --stack prod --transport grpc", "the same, the pack as its own process over gRPC"],
            ["npm run check -- --state prod-export.json", "a `pulumi stack export` file"],
            ["npm run -s check -- -s prod -c policy.json -f json | jq .summary", "JSON on a clean stdout (-s silences npm's banner)"],
        ],
        exitCodes: [
            [0, "no mandatory violation (advisory ones may be printed)"],
            [1, "at least one mandatory violation"],
            [2, "bad input (state file, stack, options, policy config) or the pack failed to start"],
        ],
    });
}

export async function main(argv: string[]): Promise<number> {
    try {
        const cmd = program();
        cmd.parse(argv, { from: "user" });
        return await check(cmd.opts());
    } catch (e) {
        return handleError(e);
    }
}

if (require.main === module) {
    void main(process.argv.slice(2)).then((code) => {
        // Exit once stdout is flushed: the program run under mocks may leave handles open.
        process.stdout.write("", () => process.exit(code));
    });
}
