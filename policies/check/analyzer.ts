import * as path from "node:path";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { ExportedResource } from "../../infra/plan/stackExport";
import type { PolicyConfig } from "./config";
import type { StateResource } from "./requests";

/*
 * What the check needs of a running policy pack, whichever way it reaches it: the pack's own
 * process over the analyzer gRPC protocol (host.ts, as `pulumi preview` runs it), or the pack
 * loaded into the check's process with its analyzer handlers called directly (inprocess.ts).
 * Both run the same handlers of @pulumi/policy on the same requests.
 */

export const PACK_DIR = path.resolve(__dirname, "..");

/** Raised when the pack cannot be started or answers with an error. */
export class PackError extends Error {}

export interface PolicySummary {
    name: string;
    enforcementLevel: string;
    /** JSON-schema properties of the policy's config, if any. */
    configSchema?: Record<string, Record<string, unknown>>;
}

export interface PackInfo {
    name: string;
    version: string;
    policies: PolicySummary[];
}

export interface PackHostOptions {
    packDir?: string;
    project?: string;
    stack?: string;
    /** Milliseconds to wait for the pack's process to print its port (gRPC only). */
    startTimeoutMs?: number;
}

/** A running policy pack: the analyzer protocol's calls, and the requests in the form this transport sends them. */
export interface Analyzer<Request = unknown, StackRequest = unknown> {
    /** Resolves once the pack can answer (rejects with a PackError if it cannot start). */
    readonly ready: Promise<void>;
    /** Wall time the pack took to start, in ms (once ready). */
    readonly startMs: number;
    /** CPU time the pack's own process has used so far, in ms; undefined when it runs in the check's process or cannot be read. */
    cpuMs(): number | undefined;
    info(): Promise<PackInfo>;
    configureStack(stack: string, project: string): Promise<void>;
    configure(config: Record<string, PolicyConfig>): Promise<void>;
    /** The Analyze request for one resource (its inputs). */
    request(r: StateResource, byUrn: Map<string, ExportedResource>): Request;
    /** The AnalyzeStack request (every resource with its outputs). */
    stackRequest(resources: StateResource[], byUrn: Map<string, ExportedResource>): StackRequest;
    analyze(req: Request): Promise<pb.AnalyzeResponse>;
    analyzeStack(req: StackRequest): Promise<pb.AnalyzeResponse>;
    close(): void;
}

const LEVELS: Record<number, string> = {
    [pb.EnforcementLevel.ADVISORY]: "advisory",
    [pb.EnforcementLevel.MANDATORY]: "mandatory",
    [pb.EnforcementLevel.DISABLED]: "disabled",
    [pb.EnforcementLevel.REMEDIATE]: "remediate",
};

export function levelToProto(level: string): pb.EnforcementLevel {
    switch (level) {
        case "mandatory":
            return pb.EnforcementLevel.MANDATORY;
        case "disabled":
            return pb.EnforcementLevel.DISABLED;
        case "remediate":
            return pb.EnforcementLevel.REMEDIATE;
        default:
            return pb.EnforcementLevel.ADVISORY;
    }
}

/** GetAnalyzerInfo's answer as the check reads it. */
export function packInfoOf(info: pb.AnalyzerInfo): PackInfo {
    return {
        name: info.getName(),
        version: info.getVersion(),
        policies: info.getPoliciesList().map((p) => {
            const schema = p.getConfigschema()?.getProperties()?.toJavaScript() as PolicySummary["configSchema"];
            return { name: p.getName(), enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory", configSchema: schema };
        }),
    };
}

export function configureStackRequest(stack: string, project: string): pb.AnalyzerStackConfigureRequest {
    return new pb.AnalyzerStackConfigureRequest().setStack(stack).setProject(project);
}

export function configureRequest(config: Record<string, PolicyConfig>): pb.ConfigureAnalyzerRequest {
    const req = new pb.ConfigureAnalyzerRequest();
    const map = req.getPolicyconfigMap();
    for (const [name, c] of Object.entries(config)) {
        const pc = new pb.PolicyConfig();
        pc.setEnforcementlevel(levelToProto(c.enforcementLevel));
        pc.setProperties(Struct.fromJavaScript(c.properties as Record<string, never>));
        map.set(name, pc);
    }
    return req;
}
