import { checkMemberClusters } from "../../../lib/members";
import { stackRule } from "../../../lib/rule";

const CLUSTER = "aws:neptune/cluster:Cluster";

export const awsNeptuneClusterConfigureMultiAzInstances = stackRule({
    name: "aws-neptune-cluster-configure-multi-az-instances",
    description: "A Neptune cluster must have at least two instances in at least two AZs, so that a read replica can be promoted when the writer or its AZ fails.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "neptune",
    resource: "cluster",
    fix: "Declare at least two `aws.neptune.ClusterInstance` resources for the cluster, leaving `availabilityZone` unset or setting different AZs.",
    requires: CLUSTER,
    check(stack, ctx) {
        checkMemberClusters(stack, ctx, { label: "Neptune", cluster: CLUSTER, instance: "aws:neptune/clusterInstance:ClusterInstance", instanceClass: "aws.neptune.ClusterInstance" });
    },
});
