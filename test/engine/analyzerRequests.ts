import * as fs from "node:fs";
import type * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { StackExport } from "../../infra/plan/stackExport";
import { analyzeRequest, analyzeStackRequest, type StateResource } from "../../policies/check/requests";

/**
 * What a policy pack is sent about one resource, in one shape for both sides: the engine's
 * requests as PULUMI_DEBUG_GRPC logs them (protobuf JSON), and the requests `npm run check`
 * builds from a `pulumi stack export`.
 */
export interface SentResource {
    urn: string;
    type: string;
    name: string;
    properties: unknown;
    options: Record<string, unknown>;
    provider?: { urn: string; type: string; name: string; properties: unknown };
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface SentRequests {
    /** Analyze, by URN. */
    analyze: Map<string, SentResource>;
    /** The resources of AnalyzeStack, by URN. */
    stack: Map<string, SentResource>;
}

/**
 * The engine records `deleteBeforeReplace` only in a resource's goal, never in its state: an
 * export cannot carry it, so it is left out of the comparison.
 */
const NOT_IN_STATE = new Set(["deleteBeforeReplace", "deleteBeforeReplaceDefined"]);

/** Drops what protobuf JSON leaves out (false, empty lists and objects), and NOT_IN_STATE. */
function compact(options: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(options)) {
        if (NOT_IN_STATE.has(k) || v === false || v === 0 || v === "" || v === undefined) continue;
        if (Array.isArray(v) && v.length === 0) continue;
        if (v !== null && typeof v === "object" && !Array.isArray(v)) {
            const inner = compact(v as Record<string, unknown>);
            if (Object.keys(inner).length > 0) out[k] = inner;
            continue;
        }
        out[k] = v;
    }
    return out;
}

interface LoggedResource {
    urn: string;
    type: string;
    name: string;
    properties?: unknown;
    options?: Record<string, unknown>;
    provider?: { urn: string; type: string; name: string; properties?: unknown };
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, { urns?: string[] }>;
}

function fromLogged(r: LoggedResource): SentResource {
    const deps = Object.entries(r.propertyDependencies ?? {}).filter(([, v]) => (v.urns ?? []).length > 0);
    return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: r.properties ?? {},
        options: compact(r.options ?? {}),
        provider: r.provider ? { ...r.provider, properties: r.provider.properties ?? {} } : undefined,
        parent: r.parent || undefined,
        dependencies: r.dependencies?.length ? sorted(r.dependencies) : undefined,
        propertyDependencies: deps.length ? Object.fromEntries(deps.map(([k, v]) => [k, sorted(v.urns ?? [])])) : undefined,
    };
}

/**
 * Dependencies are sets: the engine lists them in the order the program's registrations
 * resolved in this run, the state in the order of the run that wrote it.
 */
function sorted(urns: string[]): string[] {
    return [...urns].sort();
}

/** The analyzer requests in a PULUMI_DEBUG_GRPC log (each call is logged once or more; the last wins). */
export function readEngineLog(file: string): SentRequests {
    const sent: SentRequests = { analyze: new Map(), stack: new Map() };
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
        if (!line.trim()) continue;
        const entry = JSON.parse(line) as { method: string; request?: unknown };
        if (entry.method === "/pulumirpc.Analyzer/Analyze") {
            const r = fromLogged(entry.request as LoggedResource);
            sent.analyze.set(r.urn, r);
        } else if (entry.method === "/pulumirpc.Analyzer/AnalyzeStack") {
            sent.stack.clear();
            for (const res of (entry.request as { resources?: LoggedResource[] }).resources ?? []) {
                const r = fromLogged(res);
                sent.stack.set(r.urn, r);
            }
        }
    }
    return sent;
}

function fromProto(msg: pb.AnalyzeRequest | pb.AnalyzerResource): SentResource {
    const o = msg.getOptions();
    const t = o?.getCustomtimeouts();
    const provider = msg.getProvider();
    const r: SentResource = {
        urn: msg.getUrn(),
        type: msg.getType(),
        name: msg.getName(),
        properties: msg.getProperties()?.toJavaScript() ?? {},
        options: compact({
            protect: o?.getProtect(),
            ignoreChanges: o?.getIgnorechangesList(),
            additionalSecretOutputs: o?.getAdditionalsecretoutputsList(),
            aliases: o?.getAliasesList(),
            customTimeouts: t ? { create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete(), read: t.getRead() } : undefined,
            parent: o?.getParent(),
        }),
        provider: provider
            ? { urn: provider.getUrn(), type: provider.getType(), name: provider.getName(), properties: provider.getProperties()?.toJavaScript() ?? {} }
            : undefined,
    };
    if ("getDependenciesList" in msg) {
        const deps: Record<string, string[]> = {};
        msg.getPropertydependenciesMap().forEach((v, k) => {
            if (v.getUrnsList().length > 0) deps[k] = sorted(v.getUrnsList());
        });
        r.parent = msg.getParent() || undefined;
        r.dependencies = msg.getDependenciesList().length ? sorted(msg.getDependenciesList()) : undefined;
        r.propertyDependencies = Object.keys(deps).length ? deps : undefined;
    }
    return r;
}

/** The requests `npm run check -- --state <export>` sends (policies/check/run.ts's selection). */
export async function checkRequests(state: StackExport): Promise<SentRequests> {
    const resources = (state.deployment.resources as StateResource[]).filter((r) => !r.delete);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const sent: SentRequests = { analyze: new Map(), stack: new Map() };
    for (const r of resources.filter((x) => !x.external)) sent.analyze.set(r.urn, fromProto(analyzeRequest(r, byUrn)));
    for (const r of (await analyzeStackRequest(resources, byUrn)).getResourcesList()) sent.stack.set(r.getUrn(), fromProto(r));
    return sent;
}

/** Every difference between two sets of requests, one line each (empty when they agree). */
export function differences(engine: SentRequests, check: SentRequests): string[] {
    const out: string[] = [];
    for (const [call, a, b] of [["Analyze", engine.analyze, check.analyze], ["AnalyzeStack", engine.stack, check.stack]] as const) {
        for (const urn of a.keys()) if (!b.has(urn)) out.push(`${call}: the engine sent ${urn}, check does not`);
        for (const urn of b.keys()) if (!a.has(urn)) out.push(`${call}: check sends ${urn}, the engine did not`);
        for (const [urn, sent] of a) {
            const mine = b.get(urn);
            if (!mine) continue;
            for (const key of Object.keys({ ...sent, ...mine }) as (keyof SentResource)[]) {
                const x = JSON.stringify(sent[key]);
                const y = JSON.stringify(mine[key]);
                if (!sameJson(sent[key], mine[key])) out.push(`${call} ${urn} ${key}: engine ${x?.slice(0, 300)} / check ${y?.slice(0, 300)}`);
            }
        }
    }
    return out;
}

/** Deep equality with object keys in any order. */
function sameJson(a: unknown, b: unknown): boolean {
    if (Array.isArray(a) || Array.isArray(b)) {
        return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
    }
    if (a !== null && b !== null && typeof a === "object" && typeof b === "object") {
        const ka = Object.keys(a);
        const kb = Object.keys(b);
        return ka.length === kb.length && ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
    }
    return a === b;
}
