import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import type * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { ExportedResource } from "../../infra/plan/stackExport";
import { configureRequest, configureStackRequest, PACK_DIR, PackError, packInfoOf, type Analyzer, type PackHostOptions, type PackInfo } from "./analyzer";
import type { PolicyConfig } from "./config";
import { call, loadHandlers, type Handlers } from "./pack-loader";
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

/** The pack in this process: loaded on the first `spawn` (synchronously: the load is CPU work); later spawns reuse it. */
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

    /** Nothing to stop: the pack stays loaded for the process's life (see pack-loader.ts). */
    close(): void {}
}
