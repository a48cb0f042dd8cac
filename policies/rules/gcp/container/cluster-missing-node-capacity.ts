import { stackRule, type Subject } from "../../../lib/rule";
import { indexBy, resolveRefsDetailed } from "../../../lib/stack";
import { asArray, asNumber, asRecord, get, has, known, UNKNOWN, type Unknown } from "../../../lib/values";

const CLUSTER = "gcp:container/cluster:Cluster";
const NODE_POOL = "gcp:container/nodePool:NodePool";

/**
 * Whether a node pool (a NodePool resource or an entry of a cluster's `nodePools`) can hold a
 * node: with autoscaling, a maximum above zero; without, a node count above zero. Left unset the
 * provider sends 0 nodes, so an unset count is an empty pool. UNKNOWN when a size is unknown.
 */
function poolHasNodes(pool: Record<string, unknown>): boolean | Unknown {
    return known(() => {
        if (has(pool, "autoscaling")) {
            const a = asRecord(pool["autoscaling"]);
            return (asNumber(a["maxNodeCount"]) ?? 0) > 0 || (asNumber(a["totalMaxNodeCount"]) ?? 0) > 0;
        }
        return (asNumber(pool["nodeCount"]) ?? asNumber(pool["initialNodeCount"]) ?? 0) > 0;
    });
}

/**
 * What a cluster itself gives: "autopilot" (Google runs the nodes), "nodes" (node auto-provisioning,
 * inline pools or its default pool can hold a node), "none", or UNKNOWN.
 */
function ownCapacity(c: Subject): "autopilot" | "nodes" | "none" | Unknown {
    return known(() => {
        if (get(c.props, "enableAutopilot") === true) return "autopilot";
        if (get(c.props, "clusterAutoscaling.enabled") === true) return "nodes";
        const inline = asArray(get(c.props, "nodePools"));
        if (inline.length > 0) {
            const sizes = inline.map((p) => poolHasNodes(asRecord(p)));
            return sizes.includes(true) ? "nodes" : sizes.includes(UNKNOWN) ? UNKNOWN : "none";
        }
        if (get(c.props, "removeDefaultNodePool") === true) return "none";
        const defaultPool = poolHasNodes(c.props);
        return defaultPool === UNKNOWN ? UNKNOWN : defaultPool ? "nodes" : "none";
    });
}

export const gcpContainerClusterMissingNodeCapacity = stackRule({
    name: "gcp-container-cluster-missing-node-capacity",
    description: "A GKE Standard cluster must have node capacity (a node pool that can hold nodes, or node auto-provisioning), or no pod can run on it at all.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "container",
    resource: "cluster",
    fix: "Declare a `gcp.container.NodePool` for the cluster with `autoscaling` (`minNodeCount` of at least 1 per zone) or a `nodeCount` above zero, keep its default pool with `initialNodeCount`, enable node auto-provisioning (`clusterAutoscaling.enabled`), or set `enableAutopilot: true`.",
    requires: CLUSTER,
    check(stack, ctx) {
        const clusters = stack.ofType(CLUSTER);
        const index = indexBy(clusters, "name", "id");
        const pools = new Map<string, (boolean | Unknown)[]>();
        /** Pools whose cluster is unknown: any cluster might be theirs. */
        let unattributed = 0;
        for (const p of stack.ofType(NODE_POOL)) {
            const refs = resolveRefsDetailed(stack, p, "cluster", index, [CLUSTER]);
            if (refs.unknown > 0) unattributed++;
            for (const c of refs.found) pools.set(c.urn, [...(pools.get(c.urn) ?? []), poolHasNodes(p.props)]);
        }
        for (const c of clusters) {
            const own = ownCapacity(c);
            const sizes = pools.get(c.urn) ?? [];
            if (own === "autopilot" || own === "nodes" || sizes.includes(true)) continue;
            if (own === UNKNOWN || sizes.includes(UNKNOWN)) {
                ctx.undecided(c.urn, "whether it or one of its node pools can hold a node is unknown in preview");
            } else if (unattributed > 0) {
                ctx.undecided(c.urn, "a node pool's cluster is unknown in preview and may be this one");
            } else {
                ctx.report(
                    `GKE cluster "${c.name}" has no node capacity (${sizes.length === 0 ? "no node pool" : "every node pool it has stays at 0 nodes"}, no node auto-provisioning, not Autopilot), so no pod can run on it at all; declare a gcp.container.NodePool for it with autoscaling.minNodeCount of at least 1 per zone, or set enableAutopilot: true.`,
                    c.urn,
                );
            }
        }
    },
});
