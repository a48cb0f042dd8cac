import { ListValue, NullValue, Struct, Value } from "google-protobuf/google/protobuf/struct_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { ExportedResource } from "../../infra/plan/stackExport";
import { urnName } from "../lib/settings";

/** What the engine sends for a value it cannot know yet (`resource.UnknownStringValue`). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function secretValue(inner: unknown): Value {
    const s = new Struct();
    s.getFieldsMap().set(SIG_KEY, new Value().setStringValue(SECRET_SIG));
    s.getFieldsMap().set("value", toValue(inner));
    return new Value().setStructValue(s);
}

/**
 * Marshals an exported state value as the engine marshals it for an analyzer: secrets exported
 * with --show-secrets become secret values; encrypted ones cannot be read here and are sent as
 * unknown, so a rule that needs one says it cannot decide. (One pass, straight into protobuf.)
 */
export function toValue(v: unknown): Value {
    if (v === null || v === undefined) return new Value().setNullValue(NullValue.NULL_VALUE);
    if (typeof v === "string") return new Value().setStringValue(v);
    if (typeof v === "number") return new Value().setNumberValue(v);
    if (typeof v === "boolean") return new Value().setBoolValue(v);
    if (Array.isArray(v)) return new Value().setListValue(new ListValue().setValuesList(v.map(toValue)));
    const obj = v as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
        if (typeof obj["plaintext"] === "string") return secretValue(JSON.parse(obj["plaintext"]));
        if ("value" in obj) return secretValue(obj["value"]);
        return new Value().setStringValue(UNKNOWN_VALUE);
    }
    return new Value().setStructValue(toStruct(obj));
}

/**
 * What the engine sends of a resource's properties: every key but the provider's own
 * top-level `__` keys (the Terraform bridge's `__defaults`, a provider's `__internal`), which
 * the engine strips before a policy pack sees them (MarshalOptions.SkipInternalKeys).
 */
export function withoutInternalKeys(props: Record<string, unknown>): Record<string, unknown> {
    for (const k in props) {
        if (k.startsWith("__")) return Object.fromEntries(Object.entries(props).filter(([key]) => !key.startsWith("__")));
    }
    return props;
}

export function toStruct(props: Record<string, unknown>): Struct {
    const s = new Struct();
    const fields = s.getFieldsMap();
    for (const k of Object.keys(props)) {
        const val = props[k];
        if (val !== undefined) fields.set(k, toValue(val));
    }
    return s;
}

/** `<provider-urn>::<provider-id>` to the provider's URN. */
export function providerUrn(ref: string | undefined): string | undefined {
    if (!ref) return undefined;
    const at = ref.lastIndexOf("::");
    return at < 0 ? ref : ref.slice(0, at);
}

/**
 * A resource of a `pulumi stack export` with the state fields the engine also reads when it
 * analyzes: the resource options it sends, and whether the resource is read (external) or
 * waiting to be deleted.
 */
export interface StateResource extends ExportedResource {
    protect?: boolean;
    external?: boolean;
    delete?: boolean;
    ignoreChanges?: string[];
    additionalSecretOutputs?: string[];
    aliases?: string[];
    customTimeouts?: { create?: number; update?: number; delete?: number };
}

/** The resource options the engine sends with a resource, from its state. */
function options(r: StateResource): pb.AnalyzerResourceOptions {
    const opts = new pb.AnalyzerResourceOptions();
    if (r.parent) opts.setParent(r.parent);
    if (r.protect) opts.setProtect(true);
    if (r.ignoreChanges?.length) opts.setIgnorechangesList(r.ignoreChanges);
    if (r.additionalSecretOutputs?.length) opts.setAdditionalsecretoutputsList(r.additionalSecretOutputs);
    if (r.aliases?.length) opts.setAliasesList(r.aliases);
    const timeouts = new pb.AnalyzerResourceOptions.CustomTimeouts();
    if (r.customTimeouts?.create) timeouts.setCreate(r.customTimeouts.create);
    if (r.customTimeouts?.update) timeouts.setUpdate(r.customTimeouts.update);
    if (r.customTimeouts?.delete) timeouts.setDelete(r.customTimeouts.delete);
    opts.setCustomtimeouts(timeouts);
    return opts;
}

/**
 * A value per provider, built once per map of resources and provider URN: resources share a few
 * providers, and each way of sending a request (messages, bytes, views) builds a provider's part once.
 */
export function perProvider<T>(build: (urn: string, provider: ExportedResource | undefined) => T): (urn: string, byUrn: Map<string, ExportedResource>) => T {
    const caches = new WeakMap<Map<string, ExportedResource>, Map<string, T>>();
    return (urn, byUrn) => {
        let cache = caches.get(byUrn);
        if (!cache) {
            cache = new Map();
            caches.set(byUrn, cache);
        }
        if (!cache.has(urn)) cache.set(urn, build(urn, byUrn.get(urn)));
        return cache.get(urn) as T;
    };
}

/** A provider's type: its resource's, or the type in its URN when the export does not hold it. */
export function providerType(urn: string, provider: ExportedResource | undefined): string {
    return provider?.type ?? urn.split("::").slice(-2, -1)[0] ?? "";
}

const providerMessage = perProvider((urn, res) => {
    const p = new pb.AnalyzerProviderResource();
    p.setUrn(urn);
    p.setName(urnName(urn));
    p.setType(providerType(urn, res));
    p.setProperties(toStruct(withoutInternalKeys(res?.inputs ?? {})));
    return p;
});

function provider(r: ExportedResource, byUrn: Map<string, ExportedResource>): pb.AnalyzerProviderResource | undefined {
    const urn = providerUrn(r.provider);
    return urn ? providerMessage(urn, byUrn) : undefined;
}

/** The fields AnalyzeRequest and AnalyzerResource share. */
function describe<M extends pb.AnalyzeRequest | pb.AnalyzerResource>(
    msg: M,
    r: ExportedResource,
    props: Record<string, unknown>,
    byUrn: Map<string, ExportedResource>,
): M {
    msg.setUrn(r.urn).setType(r.type).setName(urnName(r.urn)).setProperties(toStruct(withoutInternalKeys(props))).setOptions(options(r));
    const p = provider(r, byUrn);
    if (p) msg.setProvider(p);
    return msg;
}

/** The AnalyzeRequest the engine sends for one resource: its inputs. */
export function analyzeRequest(r: ExportedResource, byUrn: Map<string, ExportedResource>): pb.AnalyzeRequest {
    return describe(new pb.AnalyzeRequest(), r, r.inputs ?? {}, byUrn);
}

function stackResource(r: ExportedResource, byUrn: Map<string, ExportedResource>): pb.AnalyzerResource {
    const res = describe(new pb.AnalyzerResource(), r, r.outputs ?? {}, byUrn);
    if (r.parent) res.setParent(r.parent);
    res.setDependenciesList(r.dependencies ?? []);
    const deps = res.getPropertydependenciesMap();
    for (const [k, urns] of Object.entries(r.propertyDependencies ?? {})) {
        if (urns.length > 0) deps.set(k, new pb.AnalyzerPropertyDependencies().setUrnsList(urns));
    }
    return res;
}

/**
 * The AnalyzeStackRequest the engine sends at the end: every resource with its outputs. Built in
 * slices that yield to the event loop, so that building it overlaps the Analyze calls.
 */
export async function analyzeStackRequest(resources: ExportedResource[], byUrn: Map<string, ExportedResource>): Promise<pb.AnalyzeStackRequest> {
    const list: pb.AnalyzerResource[] = [];
    for (let i = 0; i < resources.length; i++) {
        list.push(stackResource(resources[i] as ExportedResource, byUrn));
        if (i % 64 === 63) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return new pb.AnalyzeStackRequest().setResourcesList(list);
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
