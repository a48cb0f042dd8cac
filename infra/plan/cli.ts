import * as fs from "node:fs";
import { Command, CommanderError, Option } from "commander";
import { errorLine, userPath, withConventions } from "../cli/conventions";
import { planStack, PlanError } from "./run";
import { renderPlanJson, renderSummary } from "./summary";

/** Exit codes: 0 planned; 1 the program failed; 2 bad input (stack name, stack file, config, flags, a plain-text secret). */
const EXIT_BAD_INPUT = 2;

export function program(): Command {
    const command = new Command("plan")
        .description("Run the Pulumi program in-process under mocks for one stack and summarise what it declares.")
        .requiredOption("-s, --stack <name>", "stack to plan (stacks/Pulumi.<name>.yaml)")
        .option("-e, --export <file>", "also write the run as a `pulumi stack export` (version 3) JSON file")
        .addOption(new Option("-f, --format <format>", "summary as text or one JSON document").choices(["table", "json"]).default("table"))
        .option("--stacks-dir <dir>", "folder of the stack files (default: stacks/)")
        .exitOverride()
        .configureOutput({ writeErr: () => undefined });
    return withConventions(command, "plan", {
        examples: [
            ["npm run plan -- --stack prod", "summary: resources, decisions, RTO/RPO, warnings"],
            ["npm run plan -- -s dev -e dev.json", "also write a stack export for npm run check --state"],
            ["npm run -s plan -- -s prod -f json | jq .decisions", "the summary as JSON"],
        ],
        exitCodes: [
            [0, "planned (warnings may be printed)"],
            [1, "the program failed under the mocks"],
            [2, "bad input: unknown stack, bad YAML or config, a secret in plain text, bad flags"],
        ],
    });
}

async function main(argv: string[]): Promise<void> {
    const cmd = program();
    cmd.parse(argv);
    const opts = cmd.opts<{ stack: string; export?: string; format: "table" | "json"; stacksDir?: string }>();

    const started = process.hrtime.bigint();
    const plan = await planStack(opts.stack, { stacksDir: opts.stacksDir === undefined ? undefined : userPath(opts.stacksDir) });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (opts.format === "json") process.stdout.write(`${renderPlanJson(plan)}\n`);
    else process.stdout.write(`${renderSummary(plan)}\n\nPlanned in ${ms.toFixed(0)} ms.\n`);
    if (opts.export) {
        const file = userPath(opts.export);
        try {
            fs.writeFileSync(file, `${JSON.stringify(plan.export, null, 2)}\n`);
        } catch (err) {
            throw new PlanError(`cannot write ${opts.export}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        const line = `Wrote ${plan.export.deployment.resources.length} resources to ${opts.export}.\n`;
        // stdout stays one JSON document with --format json.
        if (opts.format === "json") process.stderr.write(line);
        else process.stdout.write(line);
    }
}

function handleError(err: unknown): number {
    if (err instanceof CommanderError) {
        if (err.exitCode === 0) return 0; // --help, --version
        process.stderr.write(`${errorLine("plan", err.message.replace(/^error: /, ""))}\n`);
        return EXIT_BAD_INPUT;
    }
    if (err instanceof PlanError) {
        process.stderr.write(`${errorLine("plan", err.message)}\n`);
        return EXIT_BAD_INPUT;
    }
    process.stderr.write(`${errorLine("plan", `the program failed: ${err instanceof Error ? err.message : String(err)}`)}\n`);
    return 1;
}

if (require.main === module) {
    main(process.argv).then(
        () => process.stdout.write("", () => process.exit(0)),
        (err: unknown) => process.exit(handleError(err)),
    );
}
