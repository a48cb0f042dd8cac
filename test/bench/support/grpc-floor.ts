/**
 * The transport's share of a check: the same Analyze requests sent to a server that does nothing
 * but answer an empty AnalyzeResponse, over the same grpc-js client and channel options the check
 * uses, from a server in its own process as the pack is. What is left of a check's Analyze phase
 * above this is the pack's own work (decoding, policies, encoding answers) and the check's
 * (decoding answers).
 *
 * Run as a script, this file is the server: it listens on 127.0.0.1 only, prints its port, and
 * exits after `maxCalls` calls or `maxSeconds`, whichever comes first.
 */
import { fork } from "node:child_process";
import { performance } from "node:perf_hooks";
import * as grpc from "@grpc/grpc-js";
import { AnalyzerService } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { CHANNEL_OPTIONS, processCpuMs } from "../../../policies/check/host";

const EMPTY = Buffer.from(new pb.AnalyzeResponse().serializeBinary());
const asIs = (b: Buffer) => b;

/** The Analyze method with its bytes passed through: neither side decodes. */
const RAW_ANALYZE: grpc.ServiceDefinition = {
    analyze: { path: AnalyzerService.analyze.path, requestStream: false, responseStream: false, requestSerialize: asIs, requestDeserialize: asIs, responseSerialize: asIs, responseDeserialize: asIs },
};

function serve(maxCalls: number, maxSeconds: number): void {
    const server = new grpc.Server(CHANNEL_OPTIONS);
    let calls = 0;
    const stop = () => server.tryShutdown(() => process.exit(0));
    const deadline = setTimeout(stop, maxSeconds * 1000);
    deadline.unref();
    server.addService(RAW_ANALYZE, {
        analyze: (_call: unknown, callback: (err: null, res: Buffer) => void) => {
            callback(null, EMPTY);
            if (++calls >= maxCalls) setImmediate(stop);
        },
    });
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) throw err;
        process.send?.(port);
    });
}

export interface FloorTiming {
    wall: number;
    clientCpu: number;
    /** Undefined where the server's CPU time cannot be read (no /proc). */
    serverCpu?: number;
}

/** Sends every request (bytes as the check encodes them), `concurrency` in flight, as the check does. */
export async function transportFloor(requests: Buffer[], concurrency = 64): Promise<FloorTiming> {
    const child = fork(__filename, ["serve", String(requests.length), "120"], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
    try {
        const port = await new Promise<number>((resolve, reject) => {
            child.once("message", (p) => resolve(Number(p)));
            child.once("exit", (code) => reject(new Error(`the transport floor's server exited with code ${code}`)));
        });
        const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), CHANNEL_OPTIONS);
        const cpu0 = process.cpuUsage();
        const server0 = processCpuMs(child.pid);
        const start = performance.now();
        let next = 0;
        const worker = async () => {
            while (next < requests.length) {
                const req = requests[next++] as Buffer;
                await new Promise<void>((resolve, reject) =>
                    client.makeUnaryRequest(RAW_ANALYZE.analyze!.path, asIs, asIs, req, (err) => (err ? reject(err) : resolve())),
                );
            }
        };
        await Promise.all(Array.from({ length: concurrency }, worker));
        const wall = performance.now() - start;
        const cpu = process.cpuUsage(cpu0);
        const server1 = processCpuMs(child.pid);
        client.close();
        return {
            wall,
            clientCpu: (cpu.user + cpu.system) / 1000,
            serverCpu: server0 === undefined || server1 === undefined ? undefined : server1 - server0,
        };
    } finally {
        child.kill();
    }
}

if (require.main === module && process.argv[2] === "serve") serve(Number(process.argv[3]), Number(process.argv[4]));
