import type { ExportedResource } from "../../infra/plan/stackExport";
import { urnName } from "../lib/settings";
import { ProtoWriter, WIRE } from "./protoWriter";
import { perProvider, providerType, providerUrn, SECRET_SIG, SIG_KEY, UNKNOWN_VALUE, withoutInternalKeys, type StateResource } from "./requests";

/*
 * The analyzer requests of requests.ts, written straight to protobuf bytes: the same bytes
 * google-protobuf writes for the messages analyzeRequest and analyzeStackRequest build (test:
 * test/policies/check-encode.test.ts), at a fraction of the cost. Field numbers are those of
 * pulumi/proto/analyzer.proto and google/protobuf/struct.proto.
 */

/** google.protobuf.Value: null_value 1, number_value 2, string_value 3, bool_value 4, struct_value 5, list_value 6. */
function writeValue(w: ProtoWriter, field: number, v: unknown): void {
    const mark = w.begin(field);
    writeValueBody(w, v);
    w.end(mark);
}

function writeValueBody(w: ProtoWriter, v: unknown): void {
    if (v === null || v === undefined) {
        w.tag(1, WIRE.varint);
        w.varint(0);
    } else if (typeof v === "string") {
        w.string(3, v);
    } else if (typeof v === "number") {
        w.double(2, v);
    } else if (typeof v === "boolean") {
        w.tag(4, WIRE.varint);
        w.varint(v ? 1 : 0);
    } else if (Array.isArray(v)) {
        const list = w.begin(6);
        for (const item of v) writeValue(w, 1, item);
        w.end(list);
    } else {
        const obj = v as Record<string, unknown>;
        if (obj[SIG_KEY] === SECRET_SIG) {
            if (typeof obj["plaintext"] === "string") return writeSecret(w, JSON.parse(obj["plaintext"]));
            if ("value" in obj) return writeSecret(w, obj["value"]);
            return w.string(3, UNKNOWN_VALUE);
        }
        const struct = w.begin(5);
        writeFields(w, obj);
        w.end(struct);
    }
}

/** A secret as the engine marshals it: a struct of the signature key and the value (keys in sorted order). */
function writeSecret(w: ProtoWriter, inner: unknown): void {
    const struct = w.begin(5);
    writeEntry(w, SIG_KEY, SECRET_SIG);
    writeEntry(w, "value", inner);
    w.end(struct);
}

function writeEntry(w: ProtoWriter, key: string, value: unknown): void {
    const entry = w.begin(1);
    w.string(1, key);
    writeValue(w, 2, value);
    w.end(entry);
}

/** google.protobuf.Struct's `fields` map: one entry per defined key, keys sorted as google-protobuf sorts them. */
function writeFields(w: ProtoWriter, props: Record<string, unknown>): void {
    const keys = Object.keys(props).sort();
    for (const k of keys) {
        const val = props[k];
        if (val !== undefined) writeEntry(w, k, val);
    }
}

function writeStruct(w: ProtoWriter, field: number, props: Record<string, unknown>): void {
    const mark = w.begin(field);
    writeFields(w, props);
    w.end(mark);
}

function writeNonEmpty(w: ProtoWriter, field: number, s: string | undefined): void {
    if (s) w.string(field, s);
}

/** AnalyzerResourceOptions, from the state (requests.ts `options`). */
function writeOptions(w: ProtoWriter, r: StateResource): void {
    const mark = w.begin(5);
    if (r.protect) {
        w.tag(1, WIRE.varint);
        w.varint(1);
    }
    for (const s of r.ignoreChanges ?? []) w.string(2, s);
    for (const s of r.additionalSecretOutputs ?? []) w.string(5, s);
    for (const s of r.aliases ?? []) w.string(6, s);
    const timeouts = w.begin(7);
    if (r.customTimeouts?.create) w.double(1, r.customTimeouts.create);
    if (r.customTimeouts?.update) w.double(2, r.customTimeouts.update);
    if (r.customTimeouts?.delete) w.double(3, r.customTimeouts.delete);
    w.end(timeouts);
    writeNonEmpty(w, 8, r.parent);
    w.end(mark);
}

const providerBytes = perProvider((urn, res) => {
    const w = new ProtoWriter(4096);
    writeNonEmpty(w, 1, providerType(urn, res));
    writeStruct(w, 2, withoutInternalKeys(res?.inputs ?? {}));
    writeNonEmpty(w, 3, urn);
    writeNonEmpty(w, 4, urnName(urn));
    return w.finish();
});

/** The fields AnalyzeRequest and AnalyzerResource share (1 to 6). */
function writeDescription(w: ProtoWriter, r: StateResource, props: Record<string, unknown>, byUrn: Map<string, ExportedResource>): void {
    writeNonEmpty(w, 1, r.type);
    writeStruct(w, 2, withoutInternalKeys(props));
    writeNonEmpty(w, 3, r.urn);
    writeNonEmpty(w, 4, urnName(r.urn));
    writeOptions(w, r);
    const provider = providerUrn(r.provider);
    if (provider) w.bytes(6, providerBytes(provider, byUrn));
}

const shared = new ProtoWriter();

/** The AnalyzeRequest for one resource (its inputs), as bytes. */
export function encodeAnalyzeRequest(r: StateResource, byUrn: Map<string, ExportedResource>): Buffer {
    writeDescription(shared, r, r.inputs ?? {}, byUrn);
    return shared.finish();
}

/** The AnalyzeStackRequest (every resource with its outputs), as bytes. */
export function encodeAnalyzeStackRequest(resources: StateResource[], byUrn: Map<string, ExportedResource>): Buffer {
    const w = new ProtoWriter(1024 * 1024);
    for (const r of resources) {
        const mark = w.begin(1);
        writeDescription(w, r, r.outputs ?? {}, byUrn);
        writeNonEmpty(w, 7, r.parent);
        for (const d of r.dependencies ?? []) w.string(8, d);
        const deps = r.propertyDependencies ?? {};
        for (const k of Object.keys(deps).sort()) {
            const urns = deps[k] as string[];
            if (urns.length === 0) continue;
            const entry = w.begin(9);
            w.string(1, k);
            const value = w.begin(2);
            for (const u of urns) w.string(1, u);
            w.end(value);
            w.end(entry);
        }
        w.end(mark);
    }
    return w.finish();
}
