import * as fs from "node:fs";
import { Command, CommanderError } from "commander";
import { planStack, PlanError } from "./run";
import { renderSummary } from "./summary";

/** Exit codes: 0 planned; 1 the program failed; 2 bad input (stack name, stack file, config, flags). */
const EXIT_BAD_INPUT = 2;

async function main(argv: string[]): Promise<void> {
    const program = new Command("plan")
        .description("Run the Pulumi program in-process under mocks for one stack and summarise what it declares.")
        .requiredOption("-s, --stack <name>", "stack to plan (stacks/Pulumi.<name>.yaml)")
        .option("-e, --export <file>", "also write the run as a `pulumi stack export` (version 3) JSON file")
        .option("--stacks-dir <dir>", "folder of the stack files (default: stacks/)")
        .exitOverride()
        .configureOutput({ writeErr: () => undefined });
    program.parse(argv);
    const opts = program.opts<{ stack: string; export?: string; stacksDir?: string }>();

    const started = process.hrtime.bigint();
    const plan = await planStack(opts.stack, { stacksDir: opts.stacksDir });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`${renderSummary(plan)}\n\nPlanned in ${ms.toFixed(0)} ms.\n`);
    if (opts.export) {
        try {
            fs.writeFileSync(opts.export, `${JSON.stringify(plan.export, null, 2)}\n`);
        } catch (err) {
            throw new PlanError(`cannot write ${opts.export}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
        }
        process.stdout.write(`Wrote ${plan.export.deployment.resources.length} resources to ${opts.export}.\n`);
    }
}

function handleError(err: unknown): number {
    if (err instanceof CommanderError) {
        if (err.exitCode === 0) return 0; // --help, --version
        process.stderr.write(`plan: ${err.message.replace(/^error: /, "")}\n`);
        return EXIT_BAD_INPUT;
    }
    if (err instanceof PlanError) {
        process.stderr.write(`plan: ${err.message}\n`);
        return EXIT_BAD_INPUT;
    }
    process.stderr.write(`plan: the program failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
}

main(process.argv).then(
    () => process.exit(0),
    (err: unknown) => process.exit(handleError(err)),
);
