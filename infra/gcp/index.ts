export { GcpNetwork } from "./network";
export type { GcpNetworkArgs } from "./network";
export { GkeCluster, validateGkeClusterArgs } from "./gke";
export type { GkeClusterArgs } from "./gke";
