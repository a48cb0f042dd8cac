import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { ExportedResource } from "../../infra/plan/stackExport";

/** What the engine sends for a value it cannot know yet (`resource.UnknownStringValue`). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Turns exported state values into what the engine marshals to an analyzer: secrets exported
 * with --show-secrets become secret values; encrypted ones cannot be read here and are sent as
 * unknown, so a rule that needs one says it cannot decide.
 */
export function engineValue(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(engineValue);
    }
    if (v === null || typeof v !== "object") {
        return v === undefined ? null : v;
    }
    const obj = v as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
        if (typeof obj["plaintext"] === "string") {
            return { [SIG_KEY]: SECRET_SIG, value: engineValue(JSON.parse(obj["plaintext"])) };
        }
        if ("value" in obj) {
            return { [SIG_KEY]: SECRET_SIG, value: engineValue(obj["value"]) };
        }
        return UNKNOWN_VALUE;
    }
    const out: Record<string, unknown> = {};
    for (const [k, val] of Object.entries(obj)) {
        if (val !== undefined) out[k] = engineValue(val);
    }
    return out;
}

function toStruct(props: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(engineValue(props) as Record<string, never>);
}

/** `<provider-urn>::<provider-id>` to the provider's URN. */
export function providerUrn(ref: string | undefined): string | undefined {
    if (!ref) return undefined;
    const at = ref.lastIndexOf("::");
    return at < 0 ? ref : ref.slice(0, at);
}

export function logicalName(urn: string): string {
    const at = urn.lastIndexOf("::");
    return at < 0 ? urn : urn.slice(at + 2);
}

function options(r: ExportedResource): pb.AnalyzerResourceOptions {
    const opts = new pb.AnalyzerResourceOptions();
    if (r.parent) opts.setParent(r.parent);
    const timeouts = new pb.AnalyzerResourceOptions.CustomTimeouts();
    opts.setCustomtimeouts(timeouts);
    return opts;
}

function provider(r: ExportedResource, byUrn: Map<string, ExportedResource>): pb.AnalyzerProviderResource | undefined {
    const urn = providerUrn(r.provider);
    if (!urn) return undefined;
    const p = new pb.AnalyzerProviderResource();
    p.setUrn(urn);
    p.setName(logicalName(urn));
    const res = byUrn.get(urn);
    p.setType(res?.type ?? urn.split("::").slice(-2, -1)[0] ?? "");
    p.setProperties(toStruct(res?.inputs ?? {}));
    return p;
}

/** The AnalyzeRequest the engine sends for one resource: its inputs. */
export function analyzeRequest(r: ExportedResource, byUrn: Map<string, ExportedResource>): pb.AnalyzeRequest {
    const req = new pb.AnalyzeRequest();
    req.setUrn(r.urn);
    req.setType(r.type);
    req.setName(logicalName(r.urn));
    req.setProperties(toStruct(r.inputs ?? {}));
    req.setOptions(options(r));
    const p = provider(r, byUrn);
    if (p) req.setProvider(p);
    return req;
}

/** The AnalyzeStackRequest the engine sends at the end: every resource with its outputs. */
export function analyzeStackRequest(resources: ExportedResource[], byUrn: Map<string, ExportedResource>): pb.AnalyzeStackRequest {
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList(
        resources.map((r) => {
            const res = new pb.AnalyzerResource();
            res.setUrn(r.urn);
            res.setType(r.type);
            res.setName(logicalName(r.urn));
            res.setProperties(toStruct(r.outputs ?? {}));
            res.setOptions(options(r));
            if (r.parent) res.setParent(r.parent);
            res.setDependenciesList(r.dependencies ?? []);
            const deps = res.getPropertydependenciesMap();
            for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
                if (urns.length === 0) continue;
                const d = new pb.AnalyzerPropertyDependencies();
                d.setUrnsList(urns);
                deps.set(k, d);
            }
            const p = provider(r, byUrn);
            if (p) res.setProvider(p);
            return res;
        }),
    );
    return req;
}

export type Level = "mandatory" | "advisory";

/** One violation as a flat record. */
export interface Finding {
    policy: string;
    level: Level;
    urn: string;
    message: string;
}

export function findingsOf(resp: pb.AnalyzeResponse, fallbackUrn: string): Finding[] {
    return resp.getDiagnosticsList().map((d) => ({
        policy: d.getPolicyname(),
        level: d.getEnforcementlevel() === pb.EnforcementLevel.MANDATORY ? "mandatory" : "advisory",
        urn: d.getUrn() || fallbackUrn,
        message: d.getMessage(),
    }));
}
