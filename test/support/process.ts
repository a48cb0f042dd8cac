import { spawn } from "node:child_process";

export interface ProcessResult {
    code: number | null;
    stdout: string;
    stderr: string;
}

/**
 * Runs a command to completion without blocking the event loop (tests that serve stand-ins
 * from their own process must keep answering while the child runs).
 */
export function runProcess(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
    return new Promise((resolve, reject) => {
        const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
        child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}
