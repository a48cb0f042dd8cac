import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..", "..");

/**
 * A free TCP port on 127.0.0.1 below Linux's ephemeral range (32768-60999): the instance keeps
 * its port across restarts, and a port the kernel hands out for outgoing connections could be
 * taken by one of them between this check and the service's listen.
 */
export async function freePort(): Promise<number> {
    for (let attempt = 0; attempt < 50; attempt++) {
        const port = 20_000 + Math.floor(Math.random() * 12_000);
        const free = await new Promise<boolean>((resolve) => {
            const server = net.createServer();
            server.once("error", () => resolve(false));
            server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
        });
        if (free) return port;
    }
    throw new Error("no free port on 127.0.0.1 between 20000 and 32000");
}

/**
 * One real service process (`app/src/server.ts` under tsx) on a fixed loopback port, with its
 * own DATA_DIR, restartable with the same environment after a SIGKILL.
 */
export class LocalInstance {
    private child?: ChildProcess;
    readonly url: string;

    constructor(readonly name: string, readonly port: number, private readonly env: Record<string, string>, private readonly logFile: string) {
        this.url = `http://127.0.0.1:${port}`;
    }

    get alive(): boolean {
        return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
    }

    async start(timeoutMs = 30_000): Promise<void> {
        const log = fs.openSync(this.logFile, "a");
        this.child = spawn(process.execPath, ["--import", "tsx", path.join(REPO, "app", "src", "server.ts")], {
            cwd: REPO,
            // The admin port (/metrics, detailed /health) is not used by the drill: any free one.
            env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ADMIN_PORT: "0", ...this.env, PORT: String(this.port) },
            stdio: ["ignore", log, log],
        });
        fs.closeSync(log);
        const deadline = Date.now() + timeoutMs;
        while (Date.now() < deadline) {
            if (!this.alive) throw new Error(`${this.name} exited during start-up (code ${this.child.exitCode}); see ${this.logFile}`);
            try {
                const response = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1_000) });
                if (response.ok) return;
            } catch {
                // not listening yet
            }
            await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error(`${this.name} not ready after ${timeoutMs / 1000} s; see ${this.logFile}`);
    }

    /** SIGKILL: no drain, no goodbye, as a lost region. */
    async kill(): Promise<void> {
        const child = this.child;
        if (!child || !this.alive) return;
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGKILL");
        await exited;
    }

    /** Graceful stop at the end of the drill; a SIGKILL if it does not go. */
    async stop(): Promise<void> {
        const child = this.child;
        if (!child || !this.alive) return;
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
    }
}
