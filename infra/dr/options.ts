import * as os from "node:os";
import * as path from "node:path";
import { Option, type Command } from "commander";
import { z } from "zod";
import { InputError } from "./errors";
import { userPath } from "../cli/conventions";

/** Options that name files or folders: taken from the user's directory, not the repository's root where npm runs us. */
const PATH_OPTIONS = ["outputs", "stateDir", "stacksDir"] as const;

/** Where state and audit files live unless --state-dir or DR_STATE_DIR says otherwise. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
    return env.DR_STATE_DIR ?? path.join(env.XDG_STATE_HOME ?? path.join(os.homedir(), ".local", "state"), "langchain-ha", "dr");
}

/** Options every command takes. */
export const commonOptionsSchema = z.object({
    stack: z.string({ error: "--stack is required" }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "--stack must be a stack name (letters, digits, _ . -)"),
    outputs: z.string().min(1).optional(),
    json: z.boolean().default(false),
    stacksDir: z.string().optional(),
});

/** Options of the commands that act. */
export const actionOptionsSchema = commonOptionsSchema.extend({
    dryRun: z.boolean().default(false),
    yes: z.boolean().default(false),
    stateDir: z.string().min(1),
    discardUnfinished: z.boolean().default(false),
    configWrite: z.boolean().default(true),
});

export type CommonOptions = z.infer<typeof commonOptionsSchema>;
export type ActionOptions = z.infer<typeof actionOptionsSchema>;

export function addCommonOptions(command: Command): Command {
    return command
        .option("-s, --stack <name>", "stack (stacks/Pulumi.<name>.yaml)")
        .option("-o, --outputs <file>", "stack outputs file from `pulumi stack output --json --show-secrets` (default: read them with the Pulumi CLI)")
        .option("--json", "print the result as JSON on stdout")
        .addOption(new Option("--stacks-dir <dir>", "folder of the stack files").hideHelp());
}

export function addActionOptions(command: Command): Command {
    return addCommonOptions(command)
        .option("--dry-run", "print the numbered steps and stop")
        .option("-y, --yes", "act without asking for confirmation")
        .option("--state-dir <dir>", "state and audit files", defaultStateDir())
        .option("--discard-unfinished", "discard an unfinished run of another command on this stack")
        .option("--no-config-write", "print the stack config change instead of writing it");
}

/** Validates parsed options; the first problem becomes one line (exit 2). */
export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new InputError(issue.message.startsWith("--") ? issue.message : `--${issue.path.join(".")} ${issue.message}`);
    }
    const data = parsed.data as Record<string, unknown>;
    for (const key of PATH_OPTIONS) {
        if (typeof data[key] === "string") data[key] = userPath(data[key]);
    }
    return parsed.data;
}

/** Seconds as an option value: a positive number. */
export const seconds = (name: string) => z.coerce.number({ error: `${name} must be a number of seconds` }).positive(`${name} must be positive`);
