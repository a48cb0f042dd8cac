import { resourceRule } from "../../../lib/rule";
import { asNumber } from "../../../lib/values";

export const awsElasticacheReplicationGroupEnableFailover = resourceRule({
    name: "aws-elasticache-replication-group-enable-failover",
    description: "An ElastiCache replication group must have automatic failover, Multi-AZ and at least two nodes, so that a replica in another AZ takes over from a failed primary.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "elasticache",
    resource: "replication-group",
    fix: "Set `automaticFailoverEnabled: true`, `multiAzEnabled: true` and `numCacheClusters >= 2` (or `replicasPerNodeGroup >= 1` in cluster mode).",
    types: ["aws:elasticache/replicationGroup:ReplicationGroup"],
    check(r, ctx) {
        const shards = asNumber(r.props["numNodeGroups"]);
        const replicas = asNumber(r.props["replicasPerNodeGroup"]);
        const nodesPerShard = shards !== undefined || replicas !== undefined ? 1 + (replicas ?? 0) : asNumber(r.props["numCacheClusters"]) ?? 1;
        const missing: string[] = [];
        if (r.props["automaticFailoverEnabled"] !== true) missing.push("automaticFailoverEnabled: true");
        if (r.props["multiAzEnabled"] !== true) missing.push("multiAzEnabled: true");
        if (nodesPerShard < 2) missing.push(shards !== undefined || replicas !== undefined ? "replicasPerNodeGroup >= 1" : "numCacheClusters >= 2");
        if (missing.length > 0) {
            ctx.report(`ElastiCache replication group "${r.name}" cannot fail over to a replica in another AZ, so its primary is a single point of failure; set ${missing.join(", ")}.`);
        }
    },
});
