import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Pods with this label may reach Qdrant's API ports, besides the service and the snapshot job. */
export const QDRANT_CLIENT_LABEL = { "langchain-ha/qdrant-client": "true" } as const;

/**
 * Pods that may call the service's plain port inside the cluster (the snapshot-set CronJob):
 * the service's NetworkPolicy otherwise admits only the port its load balancer targets.
 */
export const INTERNAL_CLIENT_LABEL = { "langchain-ha/internal-client": "true" } as const;

type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;

/** Rule source: pods carrying every one of `labels`. */
export function fromPods(...labels: pulumi.Input<Record<string, string>>[]): IngressRule["from"] {
    return labels.map((matchLabels) => ({ podSelector: { matchLabels } }));
}

/** An Ingress-only NetworkPolicy for the pods `selector` picks: only `ingress` reaches them. */
export function allowIngress(
    name: string,
    policy: { name: string; namespace: pulumi.Input<string>; labels: Record<string, string>; selector: pulumi.Input<Record<string, string>>; ingress: IngressRule[] },
    opts?: pulumi.CustomResourceOptions,
): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(name, {
        metadata: { name: policy.name, namespace: policy.namespace, labels: policy.labels },
        spec: { podSelector: { matchLabels: policy.selector }, policyTypes: ["Ingress"], ingress: policy.ingress },
    }, opts);
}

/**
 * A NetworkPolicy selecting every pod of `namespace` with no ingress rule: nothing reaches a
 * pod there unless another policy allows it. Egress is left open (LLM APIs, object storage,
 * DNS). Both clusters enforce policies: the VPC CNI's network policy agent on EKS, Dataplane
 * V2 on GKE.
 */
export function denyIngressByDefault(name: string, namespace: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): k8s.networking.v1.NetworkPolicy {
    return new k8s.networking.v1.NetworkPolicy(name, {
        metadata: { name: "default-deny-ingress", namespace, labels: { "app.kubernetes.io/part-of": "langchain-ha" } },
        spec: { podSelector: {}, policyTypes: ["Ingress"] },
    }, opts);
}

/** TCP port entries of a NetworkPolicy rule. */
export function tcpPorts(...ports: (number | string)[]): { protocol: string; port: number | string }[] {
    return ports.map((port) => ({ protocol: "TCP", port }));
}
