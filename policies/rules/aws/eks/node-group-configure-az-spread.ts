import { plural, SubnetZones, unresolvedReason, type ZoneSpread } from "../../../lib/aws";
import { stackRule, type Subject } from "../../../lib/rule";
import { indexBy, resolveRefs } from "../../../lib/stack";
import { asNumber, get, UNKNOWN } from "../../../lib/values";

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
/** Other capacity a cluster may run on: Fargate, or self-managed nodes in Auto Scaling groups. */
const FARGATE_PROFILE = "aws:eks/fargateProfile:FargateProfile";
const ASG = "aws:autoscaling/group:Group";

/**
 * How many AZs still have nodes when every group sits at its minimum. A group spread over k AZs
 * with minSize m keeps nodes in min(m, k) of them (EKS balances a group's nodes over its AZs),
 * which ones it does not say, so a partial group only adds AZs no full group already covers.
 */
function zonesWithNodesAtMinimum(groups: { spread: ZoneSpread; min: number }[]): number {
    const full = new Set<string>();
    for (const g of groups) if (g.min >= g.spread.zones.size) g.spread.zones.forEach((z) => full.add(z));
    const all = new Set(groups.flatMap((g) => [...g.spread.zones]));
    let partial = 0;
    for (const g of groups) {
        if (g.min <= 0 || g.min >= g.spread.zones.size) continue;
        partial += Math.min(g.min, [...g.spread.zones].filter((z) => !full.has(z)).length);
    }
    return Math.min(all.size, full.size + partial);
}

export const awsEksNodeGroupConfigureAzSpread = stackRule({
    name: "aws-eks-node-group-configure-az-spread",
    description: "The node groups of an EKS cluster must together span at least two AZs with at least two nodes at minimum, so that losing one AZ or node leaves capacity to run on.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "eks",
    resource: "node-group",
    fix: "Give the cluster node groups whose `subnetIds` cover at least `minAzs` AZs (e.g. one group per AZ) with `scalingConfig.minSize` summing to at least 2, and at least 1 in each AZ's group.",
    check(stack, ctx) {
        const groups = stack.ofType(NODE_GROUP);
        const clusterList = stack.ofType(CLUSTER);
        if (groups.length === 0 && clusterList.length === 0) return;
        const clusters = indexBy(clusterList, "name", "id");
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
        // A cluster of the stack with no node group, no Fargate profile and no self-managed group has nowhere to run a pod.
        if (stack.ofType(FARGATE_PROFILE, ASG).length === 0) {
            for (const c of clusterList) {
                if (byCluster.has(c.urn)) continue;
                ctx.report(
                    `EKS cluster "${c.name}" has no node group, Fargate profile or self-managed node group, so no pod can run on it at all; declare aws.eks.NodeGroup resources for it in at least ${ctx.settings.minAzs} AZs with scalingConfig.minSize of at least 1 each.`,
                    c.urn,
                );
            }
        }
        for (const { label, groups: members } of byCluster.values()) {
            const measured: { group: Subject; spread: ZoneSpread; min: number }[] = [];
            const decided = stack.each(members, ctx, (g) => {
                measured.push({ group: g, spread: subnets.spreadOf(g, "subnetIds"), min: asNumber(get(g.props, "scalingConfig.minSize")) ?? 0 });
            });
            if (!decided) continue;
            const zones = new Set(measured.flatMap((m) => [...m.spread.zones]));
            const minNodes = measured.reduce((sum, m) => sum + m.min, 0);
            const withNodes = zonesWithNodesAtMinimum(measured);
            if (zones.size >= ctx.settings.minAzs && minNodes >= 2 && withNodes >= ctx.settings.minAzs) continue;
            const unresolved = measured.filter((m) => m.spread.unresolved > 0);
            if (unresolved.length > 0) {
                for (const m of unresolved) ctx.undecided(m.group.urn, unresolvedReason(m.spread, "subnetIds") ?? "");
                continue;
            }
            const names = members.map((g) => `"${g.name}"`).join(", ");
            for (const g of members) {
                ctx.report(
                    zones.size < ctx.settings.minAzs || minNodes < 2
                        ? `EKS node groups of cluster "${label}" (${names}) span ${plural(zones.size, "AZ")} with ${plural(minNodes, "node")} at minimum, so one AZ or node failure can leave no node to run on; add node groups or subnetIds in at least ${ctx.settings.minAzs} AZs with scalingConfig.minSize summing to at least 2.`
                        : `EKS node groups of cluster "${label}" (${names}) span ${plural(zones.size, "AZ")} but at their minimum size keep nodes in only ${plural(withNodes, "AZ")}, so losing that AZ can leave no node to run on; set scalingConfig.minSize to at least 1 in the group of each of at least ${ctx.settings.minAzs} AZs.`,
                    g.urn,
                );
            }
        }
    },
});
