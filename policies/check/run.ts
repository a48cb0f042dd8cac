import { performance } from "node:perf_hooks";
import type { ExportedResource, StackExport } from "../../infra/plan/stackExport";
import type { Analyzer, PackHostOptions } from "./analyzer";
import { reconcileConfig, type RawConfig } from "./config";
import { PackHost } from "./host";
import { InProcessPack } from "./inprocess";
import { findingsOf, type Finding, type StateResource } from "./requests";

// The stack resource's type (lib/stack.ts's STACK_TYPE): not imported from there, because that
// module loads @pulumi/policy and with it the whole Pulumi SDK, which the check process does not need.
const STACK_TYPE = "pulumi:pulumi:Stack";

/**
 * How the check reaches the pack: `in-process` loads it into the check's process and calls its
 * analyzer handlers directly; `grpc` starts it as its own process and speaks the analyzer
 * protocol to it, as `pulumi preview --policy-pack` does.
 */
export const TRANSPORTS = ["in-process", "grpc"] as const;
export type Transport = (typeof TRANSPORTS)[number];

export interface CheckOptions extends PackHostOptions {
    config?: RawConfig;
    /** Defaults to in-process. */
    transport?: Transport;
    /** Analyze calls in flight at once (the engine also analyzes resources in parallel). */
    concurrency?: number;
    /** Reuse a running pack instead of starting one. */
    host?: Analyzer;
}

/** Starts the pack the given way; it loads (or its process starts) while the caller reads its input. */
export function startPack(opts: CheckOptions = {}): Analyzer {
    return opts.transport === "grpc" ? PackHost.spawn(opts) : InProcessPack.spawn(opts);
}

/** The export to check, or how to read it: read while the pack starts. */
export type CheckInput = StackExport | (() => StackExport | Promise<StackExport>);

/** One phase of a check: its wall time, and the CPU time each process used meanwhile (ms). */
export interface PhaseTiming {
    wall: number;
    checkCpu: number;
    /** The pack's own process's; undefined where it runs in the check's process (its CPU is in checkCpu) or cannot be read (no /proc). */
    packCpu?: number;
}

export const PHASES = ["read", "encode", "waitForPack", "configure", "analyze", "analyzeStack"] as const;
export type Phase = (typeof PHASES)[number];

/** Where a check's time went. */
export interface CheckTimings {
    /**
     * Wall time from spawning the pack until it listens, in ms (0 when a running one was reused);
     * over gRPC it overlaps read and encode, in-process it comes before them.
     */
    packStart: number;
    /**
     * The check's phases, one after another: reading the input and encoding every request (while
     * the pack starts), waiting for the pack, GetAnalyzerInfo + ConfigureStack + Configure, every
     * resource's Analyze call, then the AnalyzeStack call.
     */
    phases: Record<Phase, PhaseTiming>;
}

export interface CheckResult {
    findings: Finding[];
    resources: number;
    pack: { name: string; version: string };
    timings: CheckTimings;
}

function cpuNow(): number {
    const used = process.cpuUsage();
    return (used.user + used.system) / 1000;
}

/** Marks the end of each phase with the wall and CPU time spent since the previous mark. */
function phaseClock(host: Analyzer) {
    const phases = {} as Record<Phase, PhaseTiming>;
    let wall = performance.now();
    let check = cpuNow();
    let pack = host.cpuMs();
    return {
        phases,
        lap(phase: Phase): void {
            const [w, c, p] = [performance.now(), cpuNow(), host.cpuMs()];
            phases[phase] = { wall: w - wall, checkCpu: c - check, packCpu: p === undefined || pack === undefined ? undefined : p - pack };
            [wall, check, pack] = [w, c, p];
        },
    };
}

/**
 * Enforces the pack on an export: GetAnalyzerInfo, ConfigureStack, Configure, Analyze for each
 * resource (inputs), then AnalyzeStack (outputs), as `pulumi preview --policy-pack` does. Like
 * the engine, it leaves out resources waiting to be deleted, and sends resources the program
 * only reads (external) to AnalyzeStack but not to Analyze. A pack process it starts loads while
 * the input is read and every request encoded; then up to `concurrency` Analyze calls are in flight.
 */
export async function runCheck(input: CheckInput, opts: CheckOptions = {}): Promise<CheckResult> {
    const host = opts.host ?? startPack(opts);
    try {
        const clock = phaseClock(host);
        const state = typeof input === "function" ? await input() : input;
        clock.lap("read");
        const resources = (state.deployment.resources as StateResource[]).filter((r) => !r.delete);
        const registered = resources.filter((r) => !r.external);
        const stackUrn = resources.find((r) => r.type === STACK_TYPE)?.urn ?? "";
        const byUrn = new Map<string, ExportedResource>(resources.map((r) => [r.urn, r]));
        const requests = registered.map((r) => host.request(r, byUrn));
        const stackRequest = host.stackRequest(resources, byUrn);
        clock.lap("encode");
        await host.ready;
        clock.lap("waitForPack");
        const info = await host.info();
        const config = reconcileConfig(info, opts.config ?? {});
        await host.configureStack(opts.stack ?? stackName(stackUrn), opts.project ?? "langchain-ha");
        await host.configure(config);
        clock.lap("configure");
        const findings: Finding[] = [];
        let next = 0;
        const worker = async () => {
            while (next < requests.length) {
                const i = next++;
                findings.push(...findingsOf(await host.analyze(requests[i]), (registered[i] as StateResource).urn));
            }
        };
        await Promise.all(Array.from({ length: opts.concurrency ?? 64 }, worker));
        clock.lap("analyze");
        findings.push(...findingsOf(await host.analyzeStack(stackRequest), stackUrn));
        clock.lap("analyzeStack");
        return {
            findings: sortFindings(findings, resources),
            resources: resources.length,
            pack: info,
            timings: { packStart: opts.host ? 0 : host.startMs, phases: clock.phases },
        };
    } finally {
        if (!opts.host) host.close();
    }
}

function stackName(urn: string): string {
    return urn.split(":")[2] ?? "check";
}

/** In state order, then by policy: stable output for diffs and tests. */
function sortFindings(findings: Finding[], resources: ExportedResource[]): Finding[] {
    const order = new Map(resources.map((r, i) => [r.urn, i]));
    return [...findings].sort(
        (a, b) => (order.get(a.urn) ?? -1) - (order.get(b.urn) ?? -1) || a.policy.localeCompare(b.policy) || a.message.localeCompare(b.message),
    );
}

export function exitCodeOf(findings: Finding[]): 0 | 1 {
    return findings.some((f) => f.level === "mandatory") ? 1 : 0;
}
