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

export interface CheckResult {
    findings: Finding[];
    resources: number;
    pack: { name: string; version: string };
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
    const host = opts.host ?? (await PackHost.start(opts));
    try {
        const info = await host.info();
        const config = reconcileConfig(info, opts.config ?? {});
        await host.configureStack(opts.stack ?? stackName(stackUrn), opts.project ?? "langchain-ha");
        await host.configure(config);
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
        findings.push(...findingsOf(await host.analyzeStack(await stackRequest), stackUrn));
        return { findings: sortFindings(findings, resources), resources: resources.length, pack: info };
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
