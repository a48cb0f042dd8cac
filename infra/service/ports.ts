import type * as k8s from "@pulumi/kubernetes";
import { ADMIN_PORT, ENV, METRICS_PORT_NAME } from "../../app/src/contract";

/**
 * What every pod of the service's image needs to listen on in a cluster: all interfaces (the
 * service defaults to loopback) and the admin port for /metrics and the detailed /health.
 */
export const LISTENER_ENV: k8s.types.input.core.v1.EnvVar[] = [
    { name: ENV.host, value: "0.0.0.0" },
    { name: ENV.adminPort, value: String(ADMIN_PORT) },
];

/** The admin port, named as the scrape configurations refer to it. */
export const ADMIN_CONTAINER_PORT = { name: METRICS_PORT_NAME, containerPort: ADMIN_PORT };

/**
 * Who may reach the admin port: the cluster's own metrics collection, nothing else.
 * - GKE: Managed Service for Prometheus collectors run as pods in `gmp-system`.
 * - EKS: the AMP managed scraper is not a pod; it scrapes from network interfaces it places in
 *   the cluster's subnets, so only an address range can name it: the VPC's.
 */
export function monitoringPeers(cloud: "aws" | "gcp", vpcCidr: string): k8s.types.input.networking.v1.NetworkPolicyPeer[] {
    return cloud === "gcp"
        ? [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gmp-system" } } }]
        : [{ ipBlock: { cidr: vpcCidr } }];
}
