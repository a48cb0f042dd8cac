import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import { performance } from "node:perf_hooks";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { AnalyzerClient, AnalyzerService } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { ExportedResource } from "../../infra/plan/stackExport";
import { configureRequest, configureStackRequest, PACK_DIR, PackError, packInfoOf, type Analyzer, type PackHostOptions, type PackInfo } from "./analyzer";
import type { PolicyConfig } from "./config";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "./encode";
import type { StateResource } from "./requests";

/** Message limits of the channel to the pack: a whole stack's AnalyzeStack request is one message. */
export const CHANNEL_OPTIONS = {
    "grpc.max_receive_message_length": 400 * 1024 * 1024,
    "grpc.max_send_message_length": 400 * 1024 * 1024,
} as const;

/** Requests already encoded go out as they are; messages are serialized as the generated client would. */
function toBytes(req: pb.AnalyzeRequest | pb.AnalyzeStackRequest | Buffer): Buffer {
    return Buffer.isBuffer(req) ? req : Buffer.from(req.serializeBinary());
}

function unary<Req, Res>(
    call: (req: Req, cb: (err: grpc.ServiceError | null, res?: Res) => void) => unknown,
    req: Req,
): Promise<Res> {
    return new Promise((resolve, reject) =>
        // grpc-js passes a response whenever it passes no error.
        call(req, (err, res) => (err ? reject(new PackError(`policy pack error: ${err.details || err.message}`)) : resolve(res as Res))),
    );
}

/** CPU time (user + system) a process has used so far, in ms, from /proc; undefined where there is no /proc. */
export function processCpuMs(pid: number | undefined): number | undefined {
    if (pid === undefined) return undefined;
    try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
    } catch {
        return undefined;
    }
}

// Linux reports /proc times in clock ticks of 1/100 s (USER_HZ) on every architecture it runs on.
const CLOCK_TICKS = 100;

/**
 * The policy pack running as its own process, driven over the analyzer gRPC protocol exactly as
 * the Pulumi engine drives a Node.js pack: `run-policy-pack <engine-address> .` in the pack's
 * directory (what the `pulumi-analyzer-policy` shim runs), the port read from the first line of
 * its stdout.
 */
export class PackHost implements Analyzer<pb.AnalyzeRequest | Buffer, pb.AnalyzeStackRequest | Buffer> {
    private connected: AnalyzerClient | undefined;
    /** Resolves once the pack printed its port (rejects with a PackError if it cannot start). */
    readonly ready: Promise<void>;
    /** Wall time from spawning the pack to its port, in ms (once ready). */
    startMs = 0;

    private constructor(
        private readonly child: ChildProcess,
        startTimeoutMs: number,
    ) {
        const spawned = performance.now();
        this.ready = readPort(child, startTimeoutMs).then((port) => {
            this.startMs = performance.now() - spawned;
            this.connected = new AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
        });
        // Whoever uses the host awaits `ready`; this only keeps an early failure from going unhandled meanwhile.
        this.ready.catch(() => undefined);
    }

    /**
     * Starts the pack process now and returns at once, so that the caller can read its input
     * while the pack loads (two processes, two cores); `ready` tells when it listens.
     */
    static spawn(opts: PackHostOptions = {}): PackHost {
        const packDir = opts.packDir ?? PACK_DIR;
        const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
        // No engine runs here; run-policy-pack drops the address argument before loading the pack.
        const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
            cwd: packDir,
            env: {
                ...process.env,
                PULUMI_NODEJS_PROJECT: opts.project ?? "langchain-ha",
                PULUMI_NODEJS_STACK: opts.stack ?? "check",
                PULUMI_NODEJS_DRY_RUN: "true",
                PULUMI_PROJECT: opts.project ?? "langchain-ha",
                PULUMI_STACK: opts.stack ?? "check",
                PULUMI_DRY_RUN: "true",
            },
            stdio: ["ignore", "pipe", "pipe"],
        });
        return new PackHost(child, opts.startTimeoutMs ?? 60_000);
    }

    static async start(opts: PackHostOptions = {}): Promise<PackHost> {
        const host = PackHost.spawn(opts);
        await host.ready;
        return host;
    }

    get client(): AnalyzerClient {
        if (!this.connected) throw new PackError("the policy pack is not listening yet");
        return this.connected;
    }

    /** CPU time the pack process has used so far, in ms (undefined where it cannot be read). */
    cpuMs(): number | undefined {
        return processCpuMs(this.child.pid);
    }

    async info(): Promise<PackInfo> {
        return packInfoOf(await unary<Empty, pb.AnalyzerInfo>(this.client.getAnalyzerInfo.bind(this.client), new Empty()));
    }

    async configureStack(stack: string, project: string): Promise<void> {
        await unary(this.client.configureStack.bind(this.client), configureStackRequest(stack, project));
    }

    async configure(config: Record<string, PolicyConfig>): Promise<void> {
        await unary(this.client.configure.bind(this.client), configureRequest(config));
    }

    /** Requests go out as bytes, written straight from the state (encode.ts). */
    request(r: StateResource, byUrn: Map<string, ExportedResource>): Buffer {
        return encodeAnalyzeRequest(r, byUrn);
    }

    stackRequest(resources: StateResource[], byUrn: Map<string, ExportedResource>): Buffer {
        return encodeAnalyzeStackRequest(resources, byUrn);
    }

    /** One Analyze call; the request as a message or as its bytes (encode.ts). */
    analyze(req: pb.AnalyzeRequest | Buffer): Promise<pb.AnalyzeResponse> {
        return this.call(AnalyzerService.analyze, req);
    }

    /** The AnalyzeStack call; the request as a message or as its bytes (encode.ts). */
    analyzeStack(req: pb.AnalyzeStackRequest | Buffer): Promise<pb.AnalyzeResponse> {
        return this.call(AnalyzerService.analyzeStack, req);
    }

    private call<Req extends pb.AnalyzeRequest | pb.AnalyzeStackRequest>(
        method: { path: string; responseDeserialize: (bytes: Buffer) => pb.AnalyzeResponse },
        req: Req | Buffer,
    ): Promise<pb.AnalyzeResponse> {
        const client = this.client;
        return unary<Req | Buffer, pb.AnalyzeResponse>(
            (r, cb) => client.makeUnaryRequest(method.path, toBytes, method.responseDeserialize, r, cb),
            req,
        );
    }

    close(): void {
        this.connected?.close();
        this.child.kill();
    }
}

function readPort(child: ChildProcess, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
        let out = "";
        let err = "";
        const fail = (why: string) => {
            clearTimeout(timer);
            child.kill();
            const detail = err.trim().split("\n").find((l) => /error/i.test(l)) ?? err.trim().split("\n")[0] ?? "";
            reject(new PackError(`the policy pack failed to start: ${why}${detail ? ` (${detail.trim()})` : ""}`));
        };
        const timer = setTimeout(() => fail(`no port within ${timeoutMs} ms`), timeoutMs);
        child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
        child.stdout?.on("data", (d: Buffer) => {
            out += d.toString();
            const line = out.split("\n")[0] ?? "";
            if (out.includes("\n") || /^\d+$/.test(line.trim())) {
                const port = Number(line.trim());
                if (Number.isInteger(port) && port > 0) {
                    clearTimeout(timer);
                    resolve(port);
                } else {
                    fail(`it printed "${line.trim()}" instead of a port`);
                }
            }
        });
        child.on("exit", (code) => fail(`it exited with code ${code}`));
    });
}
