import type { StackView } from "./rule";
import { stackOutput } from "./stack";

/** Compute clusters, the serving side of each cloud. */
export const CLUSTER_TYPES: Record<string, string> = {
    aws: "aws:eks/cluster:Cluster",
    gcp: "gcp:container/cluster:Cluster",
};

export const CLOUDS = ["aws", "gcp"] as const;

export function otherCloud(cloud: string): string {
    return cloud === "aws" ? "gcp" : "aws";
}

/**
 * The primary cloud: the stack output `primaryCloud` when known, else the only cloud with a
 * cluster. Undefined when the stack serves from no cluster or cannot tell.
 */
export function primaryCloud(stack: StackView): string | undefined {
    const declared = stackOutput(stack, "primaryCloud");
    if (declared === "aws" || declared === "gcp") return declared;
    const withClusters = CLOUDS.filter((c) => stack.ofType(CLUSTER_TYPES[c] ?? "").length > 0);
    return withClusters.length === 1 ? withClusters[0] : withClusters.length > 1 ? "aws" : undefined;
}

