import { Command, CommanderError } from "commander";
import { backupCommand } from "./commands/backup";
import { drillCommand } from "./commands/drill";
import { failbackCommand } from "./commands/failback";
import { failoverCommand } from "./commands/failover";
import { restoreCommand } from "./commands/restore";
import { statusCommand } from "./commands/status";
import type { Deps } from "./context";
import { EXIT, InputError, NotConfirmedError, oneLine, RefusedError, StepFailedError } from "./errors";
import { processIo } from "./runner/io";
import { errorLine, useColour, withConventions } from "../cli/conventions";

/** The one error handler: one line (and a hint), and the documented exit code. */
export function handleError(error: unknown, deps: Deps): number {
    const colour = useColour(process.stderr, deps.env);
    const say = (line: string, hint?: string) => deps.io.err(errorLine("dr", `${line}${hint ? ` (${hint})` : ""}`, colour));
    if (error instanceof CommanderError) {
        if (error.exitCode === 0) return EXIT.ok; // --help, --version
        say(error.message.replace(/^error: /, ""));
        return EXIT.badInput;
    }
    if (error instanceof InputError) {
        say(error.message, error.suggestion);
        return EXIT.badInput;
    }
    if (error instanceof RefusedError) {
        say(`refused: ${error.message}`, error.suggestion);
        return EXIT.failed;
    }
    if (error instanceof StepFailedError) {
        say(error.message, `fix the cause and run the same command again: it resumes at ${error.step} (state: ${error.stateFile ?? "-"})`);
        return EXIT.failed;
    }
    if (error instanceof NotConfirmedError) {
        say(error.message);
        return EXIT.notConfirmed;
    }
    say(`failed: ${oneLine(error)}`);
    return EXIT.failed;
}

/** Parses and runs one command; returns the exit code (never exits itself, so tests run it in-process). */
export async function runCli(argv: string[], deps: Deps = { io: processIo, env: process.env }): Promise<number> {
    let code: number = EXIT.ok;
    const program = withConventions(new Command("dr")
        .description("The DR runbook: status, failover, failback, backup, restore, drill")
        .exitOverride()
        .configureOutput({ writeOut: (s) => deps.io.out(s.trimEnd()), writeErr: () => undefined })
        .showSuggestionAfterError(false), "dr", {
        examples: [
            ["npm run dr -- status -s prod -o outputs.json", "where each side stands (outputs from pulumi stack output --json --show-secrets)"],
            ["npm run dr -- failover --to gcp -s prod --dry-run", "the numbered steps a failover would take"],
            ["npm run dr -- failover --to gcp -s prod", "fail over, asking before it acts (-y to not ask)"],
            ["npm run dr -- drill --local", "failover and failback on loopback, two real service processes"],
        ],
        exitCodes: [
            [EXIT.ok, "done (status: healthy)"],
            [EXIT.failed, "refused by a pre-flight check, a step failed (run again to resume), or (status) degraded"],
            [EXIT.badInput, "bad input, or (status) cannot determine"],
            [EXIT.notConfirmed, "not confirmed: nothing was changed"],
        ],
    });
    const commands = [
        statusCommand(deps, (c) => { code = c; }),
        failoverCommand(deps),
        failbackCommand(deps),
        backupCommand(deps),
        restoreCommand(deps),
        drillCommand(deps, (c) => { code = c; }),
    ];
    for (const command of commands) program.addCommand(command.exitOverride().configureOutput({ writeOut: (s) => deps.io.out(s.trimEnd()), writeErr: () => undefined }));
    try {
        await program.parseAsync(argv, { from: "user" });
        return code;
    } catch (error) {
        return handleError(error, deps);
    }
}

if (require.main === module) {
    runCli(process.argv.slice(2)).then((code) => process.exit(code), (error: unknown) => {
        process.stderr.write(`${errorLine("dr", oneLine(error))}\n`);
        process.exit(EXIT.failed);
    });
}
