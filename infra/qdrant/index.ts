export { QdrantCluster } from "./cluster";
export type { QdrantClusterArgs } from "./cluster";
