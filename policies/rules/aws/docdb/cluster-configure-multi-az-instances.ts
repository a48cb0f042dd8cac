import { checkMemberClusters } from "../../../lib/members";
import { stackRule } from "../../../lib/rule";

const CLUSTER = "aws:docdb/cluster:Cluster";

export const awsDocdbClusterConfigureMultiAzInstances = stackRule({
    name: "aws-docdb-cluster-configure-multi-az-instances",
    description: "A DocumentDB cluster must have at least two instances in at least two AZs, so that a replica can be promoted when the primary or its AZ fails.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "docdb",
    resource: "cluster",
    fix: "Declare at least two `aws.docdb.ClusterInstance` resources for the cluster, leaving `availabilityZone` unset or setting different AZs.",
    requires: CLUSTER,
    check(stack, ctx) {
        checkMemberClusters(stack, ctx, { label: "DocumentDB", cluster: CLUSTER, instance: "aws:docdb/clusterInstance:ClusterInstance", instanceClass: "aws.docdb.ClusterInstance" });
    },
});
