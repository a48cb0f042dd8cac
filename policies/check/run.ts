import { performance } from "node:perf_hooks";
import type { ExportedResource, StackExport } from "../../infra/plan/stackExport";
import { STACK_TYPE } from "../lib/stack";
import { PackHost, type PackHostOptions } from "./host";
import { reconcileConfig, type RawConfig } from "./config";
import { analyzeRequest, analyzeStackRequest, findingsOf, type Finding, type StateResource } from "./requests";

export interface CheckOptions extends PackHostOptions {
    config?: RawConfig;
    /** Analyze calls in flight at once (the engine also analyzes resources in parallel). */
    concurrency?: number;
    /** Reuse a running pack instead of starting one. */
    host?: PackHost;
}

/** Where a check's time went, in milliseconds of wall time. */
export interface CheckTimings {
    /** Starting the pack process (0 when a running one was reused). */
    packStart: number;
    /** GetAnalyzerInfo, ConfigureStack and Configure. */
    configure: number;
    /** Every resource's Analyze call (the AnalyzeStack request is built meanwhile). */
    analyze: number;
    /** The AnalyzeStack call: every stack rule over the whole stack. */
    analyzeStack: number;
}

export interface CheckResult {
    findings: Finding[];
    resources: number;
    pack: { name: string; version: string };
    timings: CheckTimings;
}

/**
 * Enforces the pack on an export: GetAnalyzerInfo, ConfigureStack, Configure, Analyze for each
 * resource (inputs), then AnalyzeStack (outputs), as `pulumi preview --policy-pack` does. Like
 * the engine, it leaves out resources waiting to be deleted, and sends resources the program
 * only reads (external) to AnalyzeStack but not to Analyze.
 */
export async function runCheck(state: StackExport, opts: CheckOptions = {}): Promise<CheckResult> {
    const resources = (state.deployment.resources as StateResource[]).filter((r) => !r.delete);
    const registered = resources.filter((r) => !r.external);
    const stackResource = resources.find((r) => r.type === STACK_TYPE);
    const stackUrn = stackResource?.urn ?? "";
    const started = performance.now();
    const host = opts.host ?? (await PackHost.start(opts));
    const timings: CheckTimings = { packStart: performance.now() - started, configure: 0, analyze: 0, analyzeStack: 0 };
    let mark = performance.now();
    const lap = (phase: Exclude<keyof CheckTimings, "packStart">) => {
        const now = performance.now();
        timings[phase] = now - mark;
        mark = now;
    };
    try {
        const info = await host.info();
        const config = reconcileConfig(info, opts.config ?? {});
        await host.configureStack(opts.stack ?? stackName(stackUrn), opts.project ?? "langchain-ha");
        await host.configure(config);
        lap("configure");
        const byUrn = new Map<string, ExportedResource>(resources.map((r) => [r.urn, r]));
        const findings: Finding[] = [];
        let next = 0;
        const worker = async () => {
            while (next < registered.length) {
                const r = registered[next++] as ExportedResource;
                findings.push(...findingsOf(await host.analyze(analyzeRequest(r, byUrn)), r.urn));
            }
        };
        const stackRequest = analyzeStackRequest(resources, byUrn);
        await Promise.all(Array.from({ length: opts.concurrency ?? 64 }, worker));
        const request = await stackRequest;
        lap("analyze");
        findings.push(...findingsOf(await host.analyzeStack(request), stackUrn));
        lap("analyzeStack");
        return { findings: sortFindings(findings, resources), resources: resources.length, pack: info, timings };
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
