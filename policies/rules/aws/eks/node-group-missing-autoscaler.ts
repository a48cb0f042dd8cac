import { ofTypeInCluster } from "../../../lib/clusters";
import { containers, K8S } from "../../../lib/kubernetes";
import { stackRule } from "../../../lib/rule";
import { indexBy, resolveRefs } from "../../../lib/stack";
import { asRecord, asString, get, UNKNOWN } from "../../../lib/values";

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const AUTOSCALER_TAG = "k8s.io/cluster-autoscaler/enabled";

export const awsEksNodeGroupMissingAutoscaler = stackRule({
    name: "aws-eks-node-group-missing-autoscaler",
    description: "An EKS node group tagged for the cluster autoscaler needs one running in its cluster, or it never grows back after a lost node or zone.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "eks",
    resource: "node-group",
    fix: "Deploy cluster-autoscaler (with an IRSA role allowed to resize the cluster's groups) on the cluster's Kubernetes provider, or drop the `k8s.io/cluster-autoscaler/enabled` tag and manage `scalingConfig.desiredSize` yourself.",
    requires: NODE_GROUP,
    check(stack, ctx) {
        const clusters = indexBy(stack.ofType(CLUSTER), "name", "id");
        stack.each(stack.ofType(NODE_GROUP), ctx, (group) => {
            const tags = { ...asRecord(get(group.props, "tagsAll")), ...asRecord(get(group.props, "tags")) };
            if (tags[AUTOSCALER_TAG] !== "true") return;
            const owner = resolveRefs(stack, group, "clusterName", clusters, [CLUSTER]);
            const cluster = owner === UNKNOWN ? undefined : owner[0];
            if (!cluster) return; // A cluster outside the stack: what runs there cannot be seen.
            const runs = ofTypeInCluster(stack, K8S.deployment, cluster).some((d) =>
                containers(d.props).some((c) => /cluster-autoscaler/.test(asString(c["image"]) ?? "")));
            if (runs) return;
            ctx.report(
                `EKS node group "${group.name}" is tagged ${AUTOSCALER_TAG} but no cluster autoscaler runs in cluster "${cluster.name}", so the group never grows back after a lost node or zone; deploy cluster-autoscaler there with an IRSA role, or drop the tag and manage scalingConfig.desiredSize.`,
                group.urn,
            );
        });
    },
});
