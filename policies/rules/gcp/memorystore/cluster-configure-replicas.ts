import { resourceRule } from "../../../lib/rule";
import { asNumber, asString, get } from "../../../lib/values";

export const gcpMemorystoreClusterConfigureReplicas = resourceRule({
    name: "gcp-memorystore-cluster-configure-replicas",
    description: "A Memorystore cluster (Redis Cluster or Valkey) must keep at least one replica per shard spread over zones, so that a failed node or zone does not lose its shards.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "memorystore",
    resource: "cluster",
    fix: "Set `replicaCount` to at least 1 and leave `zoneDistributionConfig.mode` at `MULTI_ZONE` (the default).",
    types: ["gcp:redis/cluster:Cluster", "gcp:memorystore/instance:Instance"],
    check(r, ctx) {
        const what = r.type === "gcp:redis/cluster:Cluster" ? "Memorystore for Redis Cluster" : "Memorystore instance";
        const replicas = asNumber(get(r.props, "replicaCount")) ?? 0; // The API's default is no replica.
        const mode = asString(get(r.props, "zoneDistributionConfig.mode"));
        if (replicas < 1) {
            ctx.report(`${what} "${r.name}" has no replica per shard (replicaCount ${replicas}), so one node failure loses its shard's data until it is rebuilt; set replicaCount to at least 1.`);
        } else if (mode === "SINGLE_ZONE") {
            ctx.report(`${what} "${r.name}" keeps all its nodes in one zone (zoneDistributionConfig.mode SINGLE_ZONE), so losing that zone loses every shard; set zoneDistributionConfig.mode: "MULTI_ZONE".`);
        }
    },
});
