import { plural, SubnetZones } from "../../../lib/aws";
import { stackRule, type Subject } from "../../../lib/rule";
import { indexBy, resolveRefs } from "../../../lib/stack";
import { asNumber, get, UNKNOWN } from "../../../lib/values";

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

export const awsEksNodeGroupConfigureAzSpread = stackRule({
    name: "aws-eks-node-group-configure-az-spread",
    description: "The node groups of an EKS cluster must together span at least two AZs with at least two nodes at minimum, so that losing one AZ or node leaves capacity to run on.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "eks",
    resource: "node-group",
    fix: "Give the cluster node groups whose `subnetIds` cover at least `minAzs` AZs (e.g. one group per AZ) with `scalingConfig.minSize` summing to at least 2.",
    requires: NODE_GROUP,
    check(stack, ctx) {
        const groups = stack.ofType(NODE_GROUP);
        if (groups.length === 0) return;
        const clusters = indexBy(stack.ofType(CLUSTER), "name", "id");
        const subnets = new SubnetZones(stack);
        const byCluster = new Map<string, { label: string; groups: Subject[] }>();
        const grouped = stack.each(groups, ctx, (g) => {
            const owner = resolveRefs(stack, g, "clusterName", clusters, [CLUSTER]);
            const cluster = owner !== UNKNOWN ? owner[0] : undefined;
            // A known name outside the stack still groups the node groups that share it.
            const raw = cluster ? undefined : get(g.props, "clusterName");
            const key = cluster?.urn ?? (typeof raw === "string" ? raw : g.urn);
            const entry = byCluster.get(key) ?? { label: cluster?.name ?? (typeof raw === "string" ? raw : g.name), groups: [] };
            entry.groups.push(g);
            byCluster.set(key, entry);
        });
        if (!grouped) return; // Which cluster a group belongs to is unknown, so no cluster can be judged.
        for (const { label, groups: members } of byCluster.values()) {
            const zones = new Set<string>();
            let minNodes = 0;
            let undecided = false;
            const decided = stack.each(members, ctx, (g) => {
                minNodes += asNumber(get(g.props, "scalingConfig.minSize")) ?? 0;
                const z = subnets.zonesOf(g, "subnetIds");
                if (z === UNKNOWN) {
                    ctx.undecided(g.urn, "the AZs of its subnetIds cannot be resolved to subnets in the stack");
                    undecided = true;
                    return;
                }
                z.forEach((zone) => zones.add(zone));
            });
            if (undecided || !decided) continue;
            if (zones.size < ctx.settings.minAzs || minNodes < 2) {
                const names = members.map((g) => `"${g.name}"`).join(", ");
                for (const g of members) {
                    ctx.report(
                        `EKS node groups of cluster "${label}" (${names}) span ${plural(zones.size, "AZ")} with ${plural(minNodes, "node")} at minimum, so one AZ or node failure can leave no node to run on; add node groups or subnetIds in at least ${ctx.settings.minAzs} AZs with scalingConfig.minSize summing to at least 2.`,
                        g.urn,
                    );
                }
            }
        }
    },
});
