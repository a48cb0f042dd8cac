import * as fs from "node:fs";
import * as path from "node:path";
import type { Policy } from "@pulumi/policy";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { ExportedResource, StackExport } from "../../infra/plan/stackExport";
import { toPolicy } from "../../policies/lib/pack";
import type { Rule } from "../../policies/lib/rule";
import { DEFAULT_SETTINGS, setActiveSettings, type Settings } from "../../policies/lib/settings";
import { STACK_TYPE } from "../../policies/lib/stack";
import { analyzeRequest, analyzeStackRequest, findingsOf, UNKNOWN_VALUE, type Finding } from "../../policies/check/requests";

type RpcCallback = (err: unknown, resp?: pb.AnalyzeResponse) => void;
export type RpcFun = (call: { request: unknown }, callback: RpcCallback) => Promise<void>;
type MakeRpcFun = (packName: string, version: string, level: string, policies: Policy[]) => RpcFun;
/** What the tests use of @pulumi/policy's server module: the makers of the Analyze and AnalyzeStack handlers. */
export type AnalyzerServer = { makeAnalyzeRpcFun: MakeRpcFun; makeAnalyzeStackRpcFun: MakeRpcFun };

// The analyzer handlers of @pulumi/policy are internal (no typings); calling them with the
// protobuf requests the engine sends runs the rules exactly as the gRPC server does, including
// deserialization and the unknownCheckingProxy around every property.
export const server = require("@pulumi/policy/server") as AnalyzerServer;

/** A handler's answer to `request` as bytes, or `error: <message>` when it fails: two answers compare as they are. */
export function answerOf(fun: RpcFun, request: unknown): Promise<Buffer | string> {
    return new Promise((resolve) => {
        void fun({ request }, (err, resp) => resolve(err ? `error: ${(err as Error).message}` : Buffer.from((resp as pb.AnalyzeResponse).serializeBinary())));
    });
}

export const FIXTURES = path.join(__dirname, "fixtures");
export const TEST_STACK_URN = "urn:pulumi:test::langchain-ha::pulumi:pulumi:Stack::langchain-ha-test";

/** Shorthand resource of a fixture: one `props` used as inputs and outputs, unless given apart. */
export interface FixtureResource {
    type: string;
    name: string;
    /** Defaults to a test URN built from type and name. */
    urn?: string;
    props?: Record<string, unknown>;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
    provider?: string;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export function urnOf(type: string, name: string): string {
    return type === STACK_TYPE ? TEST_STACK_URN : `urn:pulumi:test::langchain-ha::${type}::${name}`;
}

/** `"<unknown>"` in fixtures stands for a value unknown during preview. */
function unknowns(v: unknown): unknown {
    if (v === "<unknown>") return UNKNOWN_VALUE;
    if (Array.isArray(v)) return v.map(unknowns);
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unknowns(x)]));
    }
    return v;
}

/** Resolves `name` references in dependency lists to URNs. */
function refUrn(ref: string, all: FixtureResource[]): string {
    if (ref.startsWith("urn:")) return ref;
    const r = all.find((x) => x.name === ref);
    if (!r) throw new Error(`fixture references unknown resource ${ref}`);
    return r.urn ?? urnOf(r.type, r.name);
}

export function toExported(resources: FixtureResource[]): ExportedResource[] {
    return resources.map((r) => {
        const inputs = unknowns(r.inputs ?? r.props ?? {}) as Record<string, unknown>;
        const outputs = unknowns(r.outputs ?? r.props ?? {}) as Record<string, unknown>;
        const custom = r.type !== STACK_TYPE;
        return {
            urn: r.urn ?? urnOf(r.type, r.name),
            type: r.type,
            custom,
            id: custom ? String(outputs["id"] ?? `${r.name}-id`) : undefined,
            inputs,
            outputs: custom && outputs["id"] === undefined ? { id: `${r.name}-id`, ...outputs } : outputs,
            parent: r.parent ? refUrn(r.parent, resources) : undefined,
            provider: r.provider ? `${refUrn(r.provider, resources)}::${r.provider}-id` : undefined,
            dependencies: (r.dependencies ?? []).map((d) => refUrn(d, resources)),
            propertyDependencies: Object.fromEntries(
                Object.entries(r.propertyDependencies ?? {}).map(([k, v]) => [k, v.map((d) => refUrn(d, resources))]),
            ),
        };
    });
}

/** A stack export of fixture resources. */
export function stackOfFixture(resources: FixtureResource[]): StackExport {
    return { version: 3, deployment: { manifest: { time: "", magic: "", version: "" }, resources: toExported(resources) } };
}

function call(fun: RpcFun, request: unknown): Promise<pb.AnalyzeResponse> {
    return new Promise((resolve, reject) => {
        void fun({ request }, (err, resp) => (err || !resp ? reject(err) : resolve(resp)));
    });
}

/**
 * Runs rules in-process the way the engine drives the pack: Analyze for every resource (inputs),
 * then AnalyzeStack (outputs), with the given settings active.
 */
export function analyze(rules: Rule[], resources: FixtureResource[], settings: Settings = DEFAULT_SETTINGS): Promise<Finding[]> {
    return analyzeExported(rules, toExported(resources), settings);
}

/** The same for resources as a stack export holds them. */
export async function analyzeExported(rules: Rule[], exported: ExportedResource[], settings: Settings = DEFAULT_SETTINGS): Promise<Finding[]> {
    setActiveSettings(settings);
    try {
        const policies = rules.map(toPolicy);
        const byUrn = new Map(exported.map((r) => [r.urn, r]));
        const analyzeFun = server.makeAnalyzeRpcFun("no-single-point-of-failure", "0.1.0", "advisory", policies);
        const stackFun = server.makeAnalyzeStackRpcFun("no-single-point-of-failure", "0.1.0", "advisory", policies);
        const findings: Finding[] = [];
        for (const r of exported) {
            findings.push(...findingsOf(await call(analyzeFun, analyzeRequest(r, byUrn)), r.urn));
        }
        findings.push(...findingsOf(await call(stackFun, await analyzeStackRequest(exported, byUrn)), TEST_STACK_URN));
        return findings;
    } finally {
        setActiveSettings(DEFAULT_SETTINGS);
    }
}

export function readJson<T>(file: string): T {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T;
}
