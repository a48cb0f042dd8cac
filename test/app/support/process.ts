import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";

const SERVER = join(__dirname, "..", "..", "..", "app", "src", "server.ts");

export interface SpawnedService {
    child: ChildProcess;
    url: string;
    exited: Promise<number | null>;
    /** Everything the process wrote to stdout so far (its JSON log lines). */
    output(): string;
}

export interface SpawnOptions {
    /** The largest file the process may write (`ulimit -f`, in KiB): a disk that refuses writes past it (EFBIG). */
    fileSizeLimitKiB?: number;
}

/** The service as a separate process (`node --import tsx app/src/server.ts`), as in its container. */
export function spawnServer(env: Record<string, string>, options: SpawnOptions = {}): ChildProcess {
    const node = [process.execPath, "--import", "tsx", SERVER];
    const [command, ...args] =
        options.fileSizeLimitKiB === undefined ? node : ["bash", "-c", `ulimit -f ${options.fileSizeLimitKiB} && exec "$@"`, "bash", ...node];
    return spawn(command, args, {
        env: { PATH: process.env.PATH ?? "", ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });
}

/** Spawns the server and waits for its "serving" log line, which carries the URL it bound. */
export async function spawnService(env: Record<string, string>, options: SpawnOptions = {}): Promise<SpawnedService> {
    const child = spawnServer({ PORT: "0", ADMIN_PORT: "0", LOG_LEVEL: "info", ...env }, options);
    let err = "";
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    const exited = once(child, "exit").then(([code]) => code as number | null);
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
        child.stdout?.on("data", (d: Buffer) => {
            out += d.toString();
            for (const line of out.split("\n")) {
                if (line.includes('"msg":"serving"')) resolve((JSON.parse(line) as { urls: string[] }).urls[0]);
            }
        });
        void exited.then((code) => reject(new Error(`server exited with ${code}: ${err}`)));
    });
    return { child, url, exited, output: () => out };
}
