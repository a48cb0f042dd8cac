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
export function runProcess(command: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ProcessResult> {
    return new Promise((resolve, reject) => {
        // With a time limit the child leads its own process group, so what it started goes too.
        const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, detached: opts.timeoutMs !== undefined });
        const kill = () => {
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                // The group has exited meanwhile.
            }
        };
        const limit = opts.timeoutMs === undefined ? undefined : setTimeout(kill, opts.timeoutMs);
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
        child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(limit);
            resolve({ code, stdout, stderr });
        });
    });
}
