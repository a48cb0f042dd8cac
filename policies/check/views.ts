import type { ExportedResource } from "../../infra/plan/stackExport";
import { urnName } from "../lib/settings";
import { perProvider, providerType, providerUrn, SECRET_SIG, SIG_KEY, UNKNOWN_VALUE, withoutInternalKeys, type StateResource } from "./requests";

/*
 * The analyzer requests of requests.ts and encode.ts, for a pack running in the check's own
 * process: objects with the accessors of the generated protobuf messages that @pulumi/policy's
 * analyzer server calls (getUrn, getProperties().toJavaScript(), getOptions(), ...), answering
 * from the state directly. What each accessor returns is what it returns on the message decoded
 * from encode.ts's bytes (test/policies/check-views.test.ts compares the two on every planned
 * stack and planted single point of failure): google-protobuf decodes a Struct's map in sorted
 * key order, a string from its UTF-8 (a lone surrogate as U+FFFD), a missing field as its default. Decoding the 5,000
 * requests of a large stack with google-protobuf took longer than running the policies on them.
 */

/** A google.protobuf.Value as google-protobuf's toJavaScript gives it back after the wire: see encode.ts writeValueBody. */
function wireValue(v: unknown): unknown {
    if (v === null || v === undefined) return null;
    if (typeof v === "string") return wireString(v);
    if (typeof v === "number" || typeof v === "boolean") return v;
    // Array.from visits holes as undefined, as encode.ts's for-of does (map would keep them).
    if (Array.isArray(v)) return Array.from(v, wireValue);
    const obj = v as Record<string, unknown>;
    if (obj[SIG_KEY] === SECRET_SIG) {
        if (typeof obj["plaintext"] === "string") return wireSecret(JSON.parse(obj["plaintext"]));
        if ("value" in obj) return wireSecret(obj["value"]);
        return UNKNOWN_VALUE;
    }
    return wireStruct(obj);
}

function wireSecret(inner: unknown): Record<string, unknown> {
    // Keys in sorted order, as the map decodes: the signature key sorts before "value".
    return { [SIG_KEY]: SECRET_SIG, value: wireValue(inner) };
}

/** A string as it comes back from UTF-8: lone surrogates become U+FFFD, as Buffer.write and the decoder make them. */
function wireString(s: string): string {
    return s.isWellFormed() ? s : s.toWellFormed();
}

/**
 * google.protobuf.Struct's toJavaScript after the wire: defined keys only, in sorted order. A
 * "__proto__" key (JSON.parse makes it an own key) is sent, but the decoding map of
 * google-protobuf, which keeps entries in a plain object, drops it.
 */
function wireStruct(props: Record<string, unknown>): Record<string, unknown> {
    const entries: [string, unknown][] = [];
    for (const k of Object.keys(props)) {
        const val = props[k];
        if (val !== undefined && k !== "__proto__") entries.push([wireString(k), val]);
    }
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const out: Record<string, unknown> = {};
    for (const [k, val] of entries) out[k] = wireValue(val);
    return out;
}

/**
 * A Struct field. Converted when the request is built, as encode.ts writes its bytes, so that a
 * bad value (a secret whose plaintext is not JSON) fails the check before the pack sees it. The
 * server's deserializer copies what toJavaScript gives (it never changes it), so one converted
 * value can serve every call; each field still gets an object of its own, as each decoded
 * message has, since the deserializer keeps its result per Struct object (deserialize-once.ts).
 */
class StructView {
    constructor(private readonly value: Record<string, unknown>) {}

    static of(props: Record<string, unknown>): StructView {
        return new StructView(wireStruct(withoutInternalKeys(props)));
    }

    toJavaScript(): Record<string, unknown> {
        return this.value;
    }
}

const strings = (list: string[] | undefined): string[] => (list ?? []).map(wireString);

// Classes rather than object literals of closures: a request is built per resource, and the
// accessors live once on each prototype instead of once per request.

/** AnalyzerResourceOptions.CustomTimeouts: always present (encode.ts writeOptions), zero where unset. */
class TimeoutsView {
    constructor(private readonly t: StateResource["customTimeouts"]) {}
    getCreate(): number {
        return this.t?.create || 0;
    }
    getUpdate(): number {
        return this.t?.update || 0;
    }
    getDelete(): number {
        return this.t?.delete || 0;
    }
}

/** AnalyzerResourceOptions (encode.ts writeOptions): always present. */
class OptionsView {
    constructor(private readonly r: StateResource) {}
    getProtect(): boolean {
        return this.r.protect === true;
    }
    getIgnorechangesList(): string[] {
        return strings(this.r.ignoreChanges);
    }
    getAliasesList(): string[] {
        return strings(this.r.aliases);
    }
    getAdditionalsecretoutputsList(): string[] {
        return strings(this.r.additionalSecretOutputs);
    }
    getDeletebeforereplacedefined(): boolean {
        return false;
    }
    getDeletebeforereplace(): boolean {
        return false;
    }
    getParent(): string {
        return wireString(this.r.parent ?? "");
    }
    getCustomtimeouts(): TimeoutsView {
        return new TimeoutsView(this.r.customTimeouts);
    }
}

const providerProperties = perProvider((_urn, res) => StructView.of(res?.inputs ?? {}).toJavaScript());

/** AnalyzerProviderResource: the resource's provider, its inputs as properties. */
class ProviderView {
    private readonly res: ExportedResource | undefined;
    private readonly properties: StructView;

    constructor(
        private readonly urn: string,
        byUrn: Map<string, ExportedResource>,
    ) {
        this.res = byUrn.get(urn);
        this.properties = new StructView(providerProperties(urn, byUrn));
    }
    getType(): string {
        return wireString(providerType(this.urn, this.res));
    }
    getProperties(): StructView {
        return this.properties;
    }
    getUrn(): string {
        return wireString(this.urn);
    }
    getName(): string {
        return wireString(urnName(this.urn));
    }
}

/** AnalyzeRequest: one resource with its inputs; also the fields AnalyzerResource shares (encode.ts writeDescription). */
class ResourceView {
    private readonly properties: StructView;
    private readonly provider: ProviderView | undefined;

    constructor(
        protected readonly r: StateResource,
        props: Record<string, unknown>,
        byUrn: Map<string, ExportedResource>,
    ) {
        this.properties = StructView.of(props);
        const provider = providerUrn(r.provider);
        this.provider = provider ? new ProviderView(provider, byUrn) : undefined;
    }
    getType(): string {
        return wireString(this.r.type ?? "");
    }
    getProperties(): StructView {
        return this.properties;
    }
    getUrn(): string {
        return wireString(this.r.urn ?? "");
    }
    getName(): string {
        return wireString(urnName(this.r.urn));
    }
    getOptions(): OptionsView {
        return new OptionsView(this.r);
    }
    getProvider(): ProviderView | undefined {
        return this.provider;
    }
}

/** AnalyzerPropertyDependencies: the URNs one property depends on. */
class PropertyDependenciesView {
    constructor(private readonly urns: string[]) {}
    getUrnsList(): string[] {
        return strings(this.urns);
    }
}

/** AnalyzerResource: a resource of the AnalyzeStackRequest (its outputs and its dependencies). */
class StackResourceView extends ResourceView {
    getParent(): string {
        return wireString(this.r.parent ?? "");
    }
    getDependenciesList(): string[] {
        return strings(this.r.dependencies);
    }
    /** The map as google-protobuf iterates it: keys sorted, properties without dependencies left out as encode.ts leaves them. */
    getPropertydependenciesMap(): { entries(): IterableIterator<[string, PropertyDependenciesView]> } {
        const deps = this.r.propertyDependencies ?? {};
        const entries = Object.keys(deps)
            .filter((k) => (deps[k] as string[]).length > 0)
            .sort()
            .map((k): [string, PropertyDependenciesView] => [wireString(k), new PropertyDependenciesView(deps[k] as string[])]);
        return { entries: () => entries[Symbol.iterator]() };
    }
}

/** The AnalyzeRequest for one resource (its inputs), as the server reads it. */
export function analyzeRequestView(r: StateResource, byUrn: Map<string, ExportedResource>): object {
    return new ResourceView(r, r.inputs ?? {}, byUrn);
}

/** The AnalyzeStackRequest (every resource with its outputs), as the server reads it. */
export function analyzeStackRequestView(resources: StateResource[], byUrn: Map<string, ExportedResource>): object {
    const list = resources.map((r) => new StackResourceView(r, r.outputs ?? {}, byUrn));
    return { getResourcesList: () => list };
}
