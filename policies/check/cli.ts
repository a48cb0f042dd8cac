import { Command, CommanderError } from "commander";
import { z } from "zod";
import { InputError, readPolicyConfig } from "./config";
import { PackError } from "./host";
import { planStackExport, readStateFile } from "./input";
import { renderJson, renderTable } from "./render";
import { exitCodeOf, runCheck } from "./run";

/** Exit codes: 0 no mandatory violation, 1 at least one, 2 bad input or the pack failed to run. */
export const EXIT = { ok: 0, violations: 1, badInput: 2 } as const;

const optionsSchema = z
    .object({
        stack: z.string().regex(/^[A-Za-z0-9_.-]+$/, "must be a stack name such as prod").optional(),
        state: z.string().min(1).optional(),
        policyPackConfig: z.string().min(1).optional(),
        format: z.enum(["table", "json"], { error: "must be table or json" }).default("table"),
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

async function check(raw: unknown): Promise<number> {
    const opts = parseOptions(raw);
    const config = opts.policyPackConfig ? readPolicyConfig(opts.policyPackConfig) : undefined;
    const state = opts.state ? readStateFile(opts.state) : await planStackExport(opts.stack as string);
    const result = await runCheck(state, { config, stack: opts.stack });
    process.stdout.write(`${opts.format === "json" ? renderJson(result.findings) : renderTable(result.findings, result.resources)}\n`);
    return exitCodeOf(result.findings);
}

/** One clear line, no stack trace, and the documented exit code. */
export function handleError(e: unknown): number {
    if (e instanceof CommanderError) {
        return e.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    const message = e instanceof InputError || e instanceof PackError ? e.message : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    process.stderr.write(`check: ${message.split("\n")[0]}\n`);
    return EXIT.badInput;
}

export function program(): Command {
    return new Command("check")
        .description("Enforce the no-single-point-of-failure policy pack offline, through the same analyzer protocol as pulumi preview --policy-pack.")
        .option("--stack <name>", "run the program for this stack under mocks (as npm run plan) and check it")
        .option("--state <file>", "check a `pulumi stack export` file (deployment version 3)")
        .option("--policy-pack-config <file>", "policy config JSON, as for pulumi preview --policy-pack-config")
        .option("--format <format>", "table or json", "table")
        .exitOverride()
        .configureOutput({ writeErr: (s) => process.stderr.write(s.split("\n")[0] + "\n") })
        .showHelpAfterError(false);
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
