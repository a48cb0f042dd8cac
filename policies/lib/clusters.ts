import { CLUSTER_TYPES } from "./clouds";
import type { StackView, Subject } from "./rule";
import { groupedPerStack, perStack } from "./stack";

const KUBERNETES_PROVIDER = "pulumi:providers:kubernetes";

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

/** The cluster of each Kubernetes provider of the stack. */
const clusterOfProviders = perStack((stack) => {
    const clusterOf = new Map<string, string>();
    for (const p of stack.ofType(KUBERNETES_PROVIDER)) {
        const cluster = clusterOfProvider(stack, p.urn);
        if (cluster !== undefined) clusterOf.set(p.urn, cluster.urn);
    }
    return clusterOf;
});

const byCluster = groupedPerStack((stack, s) => (s.provider === undefined ? undefined : clusterOfProviders(stack).get(s.provider)));

/** Objects of `type` declared through a Kubernetes provider that talks to `cluster`, in stack order. */
export function ofTypeInCluster(stack: StackView, type: string, cluster: Subject): Subject[] {
    return byCluster(stack, type).get(cluster.urn) ?? [];
}
