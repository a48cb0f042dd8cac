export { QdrantCluster, validateQdrantClusterArgs } from "./cluster";
export type { QdrantClusterArgs } from "./cluster";
