export { GcpNetwork } from "./network";
export type { GcpNetworkArgs } from "./network";
export { GkeCluster } from "./gke";
export type { GkeClusterArgs } from "./gke";
