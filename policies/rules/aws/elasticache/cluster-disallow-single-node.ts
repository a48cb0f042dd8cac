import { resourceRule } from "../../../lib/rule";
import { asNumber, asString, get, has } from "../../../lib/values";

export const awsElasticacheClusterDisallowSingleNode = resourceRule({
    name: "aws-elasticache-cluster-disallow-single-node",
    description: "A standalone ElastiCache cluster must not be one node or nodes in one AZ, so that one node or AZ failure does not lose the cache.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "elasticache",
    resource: "cluster",
    fix: "For Redis or Valkey declare an `aws.elasticache.ReplicationGroup` (failover, Multi-AZ) instead; for Memcached set `numCacheNodes >= 2` and `azMode: \"cross-az\"`.",
    types: ["aws:elasticache/cluster:Cluster"],
    check(r, ctx) {
        if (has(r.props, "replicationGroupId")) return; // A member of a replication group: that group's rule judges it.
        const engine = asString(get(r.props, "engine")) ?? "";
        const nodes = asNumber(get(r.props, "numCacheNodes")) ?? 1;
        if (engine !== "memcached") {
            ctx.report(
                `ElastiCache cluster "${r.name}" is a single ${engine || "cache"} node with no replica, so one node or AZ failure loses the cache; declare an aws.elasticache.ReplicationGroup with automaticFailoverEnabled, multiAzEnabled and numCacheClusters >= 2 instead.`,
            );
        } else if (nodes < 2 || get(r.props, "azMode") !== "cross-az") {
            ctx.report(
                `Memcached cluster "${r.name}" has ${nodes} node${nodes === 1 ? "" : "s"}${get(r.props, "azMode") === "cross-az" ? "" : " in one AZ"}, so one ${nodes < 2 ? "node" : "AZ"} failure loses the cache; set numCacheNodes >= 2 and azMode: "cross-az".`,
            );
        }
    },
});
