import { CLUSTER_TYPES } from "./clouds";
import type { StackView, Subject } from "./rule";

/**
 * The EKS or GKE cluster a Kubernetes provider talks to: the cluster resource its kubeconfig
 * (or any input) depends on. Undefined when the provider's inputs name no cluster of the stack.
 */
export function clusterOfProvider(stack: StackView, providerUrn: string | undefined): Subject | undefined {
    const provider = providerUrn === undefined ? undefined : stack.byUrn(providerUrn);
    if (!provider) return undefined;
    const clusterTypes = Object.values(CLUSTER_TYPES);
    const urns = [...provider.dependencies, ...Object.values(provider.propertyDependencies).flat()];
    return urns.map((urn) => stack.byUrn(urn)).find((s): s is Subject => s !== undefined && clusterTypes.includes(s.type));
}

/** Kubernetes providers of the stack that talk to `cluster`. */
export function providersOfCluster(stack: StackView, cluster: Subject): Set<string> {
    return new Set(stack.resources.filter((r) => r.type === "pulumi:providers:kubernetes" && clusterOfProvider(stack, r.urn)?.urn === cluster.urn).map((r) => r.urn));
}
