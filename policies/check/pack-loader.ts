import * as path from "node:path";
import { PackError } from "./analyzer";

/*
 * Loads a policy pack into this process as `run-policy-pack` runs it (its entry required
 * from its directory, constructing its PolicyPack), except that the gRPC server @pulumi/policy
 * builds never listens: the analyzer handlers it registers (the functions that answer
 * `pulumi preview`) are kept, to be called with requests directly.
 */

type Callback = (err: unknown, resp?: unknown) => void;
export type Handler = (call: { request: unknown }, callback: Callback) => unknown;

/** The analyzer service's handlers, by method name, as @pulumi/policy's `serve` registers them. */
export type Handlers = Record<"analyze" | "analyzeStack" | "getAnalyzerInfo" | "configure" | "configureStack", Handler>;

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
export function loadHandlers(packDir: string): Handlers {
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

/** Calls an analyzer handler as grpc-js would; an error it answers with becomes a PackError. */
export function call<Res>(handler: Handler, request: unknown): Promise<Res> {
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

