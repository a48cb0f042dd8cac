import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { ExportedResource } from "../../infra/plan/stackExport";
import { configureRequest, configureStackRequest, PACK_DIR, PackError, packInfoOf, type Analyzer, type PackHostOptions, type PackInfo } from "./analyzer";
import type { PolicyConfig } from "./config";
import type { StateResource } from "./requests";
import { analyzeRequestView, analyzeStackRequestView } from "./views";

/*
 * The policy pack loaded into the check's own process. Its entry runs as `run-policy-pack` runs
 * it (required from the pack's directory, constructing its PolicyPack), except that the gRPC
 * server @pulumi/policy builds never listens: the handlers it registers (the same functions that
 * answer `pulumi preview`) are kept and called with the requests directly. That leaves out what
 * only the transport costs: a second Node process, HTTP/2, and protobuf encoding and decoding of
 * every request, which together took longer than the policies themselves on a large stack.
 */

type Callback = (err: unknown, resp?: unknown) => void;
type Handler = (call: { request: unknown }, callback: Callback) => unknown;

/** The analyzer service's handlers, by method name, as @pulumi/policy's `serve` registers them. */
type Handlers = Record<"analyze" | "analyzeStack" | "getAnalyzerInfo" | "configure" | "configureStack", Handler>;

interface GrpcServerPrototype {
    addService(service: unknown, implementation: Record<string, Handler>): void;
    bindAsync(...args: unknown[]): void;
}

/** A `process.exit` call while the pack loads: @pulumi/policy exits on a pack it refuses. */
class ExitDuringLoad extends Error {
    constructor(readonly code: number | string | null | undefined) {
        super(`it exited with code ${code ?? 0}`);
    }
}

// @pulumi/policy serves one pack per process (it exits on a second): one loaded pack, kept for the process's life.
let loaded: { packDir: string; handlers: Handlers } | undefined;

/**
 * Requires the pack's entry from its directory with the gRPC server of @pulumi/policy's own
 * @grpc/grpc-js kept from listening, and returns the handlers the PolicyPack registered. While
 * it loads, `process.exit` throws and `console.error` is kept, so that a pack @pulumi/policy
 * refuses becomes a PackError with its message instead of ending the check's process.
 */
function loadHandlers(packDir: string): Handlers {
    if (loaded) {
        if (loaded.packDir === packDir) return loaded.handlers;
        throw new PackError(`the policy pack failed to start: the pack of ${loaded.packDir} is already loaded in this process (one pack per process)`);
    }
    let server: GrpcServerPrototype;
    try {
        const policyServer = require.resolve("@pulumi/policy/server", { paths: [packDir] });
        const grpcPath = require.resolve("@grpc/grpc-js", { paths: [path.dirname(policyServer)] });
        server = (require(grpcPath) as { Server: { prototype: GrpcServerPrototype } }).Server.prototype;
    } catch (e) {
        throw new PackError(`the policy pack failed to start: ${(e as Error).message.split("\n")[0]}`);
    }
    const saved = { addService: server.addService, bindAsync: server.bindAsync, exit: process.exit, error: console.error, cwd: process.cwd() };
    let registered: Record<string, Handler> | undefined;
    const errors: string[] = [];
    server.addService = (_service, implementation) => {
        registered = implementation;
    };
    server.bindAsync = () => undefined;
    process.exit = ((code?: number | string | null) => {
        throw new ExitDuringLoad(code);
    }) as typeof process.exit;
    console.error = (...args: unknown[]) => void errors.push(args.map(String).join(" "));
    try {
        // PolicyPack reads its version from the package.json of the working directory.
        process.chdir(packDir);
        require(packDir);
    } catch (e) {
        const why = e instanceof ExitDuringLoad ? e.message : (e as Error).message?.split("\n")[0] ?? String(e);
        const detail = errors.join("\n").trim().split("\n")[0];
        throw new PackError(`the policy pack failed to start: ${why}${detail ? ` (${detail})` : ""}`);
    } finally {
        process.chdir(saved.cwd);
        Object.assign(server, { addService: saved.addService, bindAsync: saved.bindAsync });
        process.exit = saved.exit;
        console.error = saved.error;
    }
    if (!registered) throw new PackError("the policy pack failed to start: its entry constructed no PolicyPack");
    const handlers = registered as Handlers;
    loaded = { packDir, handlers };
    return handlers;
}

function call<Res>(handler: Handler, request: unknown): Promise<Res> {
    return new Promise((resolve, reject) => {
        const done: Callback = (err, resp) =>
            err ? reject(new PackError(`policy pack error: ${(err as { details?: string }).details || (err as Error).message}`)) : resolve(resp as Res);
        try {
            void Promise.resolve(handler({ request }, done)).catch(done);
        } catch (e) {
            done(e);
        }
    });
}

/** The pack in this process: loaded once, on the first `spawn` (synchronously: the load is CPU work). */
export class InProcessPack implements Analyzer<object, object> {
    readonly ready: Promise<void>;
    readonly startMs: number;
    private readonly handlers: Handlers | undefined;

    private constructor(packDir: string) {
        const start = performance.now();
        let failure: unknown;
        try {
            this.handlers = loadHandlers(packDir);
        } catch (e) {
            failure = e;
        }
        this.startMs = performance.now() - start;
        this.ready = failure === undefined ? Promise.resolve() : Promise.reject(failure);
        // Whoever uses the pack awaits `ready`; this only keeps a failure from going unhandled meanwhile.
        this.ready.catch(() => undefined);
    }

    static spawn(opts: PackHostOptions = {}): InProcessPack {
        return new InProcessPack(path.resolve(opts.packDir ?? PACK_DIR));
    }

    static async start(opts: PackHostOptions = {}): Promise<InProcessPack> {
        const pack = InProcessPack.spawn(opts);
        await pack.ready;
        return pack;
    }

    private get loaded(): Handlers {
        if (!this.handlers) throw new PackError("the policy pack is not loaded");
        return this.handlers;
    }

    /** The pack's CPU time is the check's own. */
    cpuMs(): undefined {
        return undefined;
    }

    async info(): Promise<PackInfo> {
        return packInfoOf(await call<pb.AnalyzerInfo>(this.loaded.getAnalyzerInfo, new Empty()));
    }

    async configureStack(stack: string, project: string): Promise<void> {
        await call(this.loaded.configureStack, configureStackRequest(stack, project));
    }

    async configure(config: Record<string, PolicyConfig>): Promise<void> {
        await call(this.loaded.configure, configureRequest(config));
    }

    request(r: StateResource, byUrn: Map<string, ExportedResource>): object {
        return analyzeRequestView(r, byUrn);
    }

    stackRequest(resources: StateResource[], byUrn: Map<string, ExportedResource>): object {
        return analyzeStackRequestView(resources, byUrn);
    }

    analyze(req: object): Promise<pb.AnalyzeResponse> {
        return call(this.loaded.analyze, req);
    }

    analyzeStack(req: object): Promise<pb.AnalyzeResponse> {
        return call(this.loaded.analyzeStack, req);
    }

    /** Nothing to stop: the pack stays loaded for the process's life (see `loaded`). */
    close(): void {}
}
