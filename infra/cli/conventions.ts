import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";

/**
 * What `npm run plan`, `npm run check` and `npm run dr` share as command-line tools: paths
 * relative to where the user stands, `--version`, help that ends with examples and exit codes,
 * colour only on a terminal, and one error line of the same form (`<tool>: <message>`).
 */

/** The project's version (package.json), what `--version` prints. */
export const VERSION: string = (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;

/**
 * The directory the user ran the command from. `npm run` starts scripts in the package's root
 * and keeps the caller's directory in INIT_CWD; it applies only while we run in that root (a
 * process started elsewhere with an inherited INIT_CWD keeps its own directory).
 */
export function userCwd(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
    const packageJson = env.npm_package_json;
    if (env.INIT_CWD && packageJson && path.resolve(path.dirname(packageJson)) === path.resolve(cwd)) return env.INIT_CWD;
    return cwd;
}

/** A path as the user typed it, resolved against their directory (absolute paths unchanged). */
export function userPath(p: string, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
    return path.resolve(userCwd(env, cwd), p);
}

/**
 * Colour on a terminal only: never when piped or redirected, never with NO_COLOR set (no-color.org)
 * or TERM=dumb; FORCE_COLOR (Node's convention) asks for it anyway, NO_COLOR still wins.
 */
export function useColour(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
    if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
    if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
    return stream.isTTY === true && env.TERM !== "dumb";
}

const CODES = { red: 31, yellow: 33, green: 32, bold: 1, dim: 2 } as const;
export type Style = keyof typeof CODES;

/** Paints text with ANSI styles when `on`, or returns it unchanged. */
export function painter(on: boolean): (style: Style, text: string) => string {
    return (style, text) => (on ? `\u001b[${CODES[style]}m${text}\u001b[0m` : text);
}

/** The one error line every tool prints: `<tool>: <message>` (the prefix red on a terminal). */
export function errorLine(tool: string, message: string, colour = useColour(process.stderr)): string {
    return `${painter(colour)("red", `${tool}:`)} ${message.split("\n")[0]!.trim()}`;
}

export interface HelpExtras {
    examples: [command: string, what: string][];
    exitCodes: [code: number, meaning: string][];
}

/** The help text after the options: examples, exit codes, and where errors go. */
export function helpFooter(tool: string, extras: HelpExtras): string {
    const width = Math.max(...extras.examples.map(([c]) => c.length));
    return [
        "",
        "Examples:",
        ...extras.examples.map(([c, what]) => `  ${c.padEnd(width)}  # ${what}`),
        "",
        "Exit codes:",
        ...extras.exitCodes.map(([code, meaning]) => `  ${code}  ${meaning}`),
        "",
        `Errors are one line on stderr starting with "${tool}:". Relative paths are taken from the directory you run the command in.`,
        "Colour only on a terminal (NO_COLOR turns it off). With npm, pass flags after `--` and use `npm run -s` for clean JSON on stdout.",
    ].join("\n");
}

/** `--version` and the help footer, the same on every tool. */
export function withConventions(command: Command, tool: string, extras: HelpExtras): Command {
    return command.version(VERSION, "-V, --version", "print the version").addHelpText("after", helpFooter(tool, extras));
}
