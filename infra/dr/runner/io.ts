import * as readline from "node:readline/promises";

/** Where a command writes and how it asks; tests pass their own. */
export interface Io {
    /** Results: the human report, or the JSON document with --json. */
    out(text: string): void;
    /** Progress and the plan, so stdout stays machine-readable. */
    err(text: string): void;
    /** Asks a yes/no question; false when nobody can answer. */
    confirm(question: string): Promise<boolean>;
}

export const processIo: Io = {
    out: (text) => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => void process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
    async confirm(question) {
        if (!process.stdin.isTTY) return false;
        const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
        try {
            return /^(y|yes)$/i.test((await rl.question(`${question} [y/N] `)).trim());
        } finally {
            rl.close();
        }
    },
};
