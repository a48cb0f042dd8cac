import { isZone, REGIONAL_DEFAULT_ZONES } from "../../../lib/gcp";
import { resourceRule } from "../../../lib/rule";
import { asNumber, asRecord, asString, asStrings, has } from "../../../lib/values";

function zonesOf(props: Record<string, unknown>): number {
    const nodeLocations = asStrings(props["nodeLocations"]);
    if (nodeLocations.length > 0) return nodeLocations.length;
    const location = asString(props["location"]);
    return location !== undefined && !isZone(location) ? REGIONAL_DEFAULT_ZONES : 1;
}

export const gcpContainerNodePoolConfigureMinNodes = resourceRule({
    name: "gcp-container-node-pool-configure-min-nodes",
    description: "A GKE node pool must never scale below two nodes, so that one node failure leaves somewhere to run.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "container",
    resource: "node-pool",
    fix: "Raise `autoscaling.minNodeCount` (per zone) or `autoscaling.totalMinNodeCount`, or `nodeCount` without autoscaling, so that the pool keeps at least `minReplicas` nodes.",
    types: ["gcp:container/nodePool:NodePool"],
    check(r, ctx) {
        const zones = zonesOf(r.props);
        const autoscaling = asRecord(r.props["autoscaling"]);
        let min: number;
        if (has(r.props, "autoscaling")) {
            const total = asNumber(autoscaling["totalMinNodeCount"]);
            min = total ?? (asNumber(autoscaling["minNodeCount"]) ?? 0) * zones;
        } else {
            // Left unset, the provider sends 0 nodes: the pool starts and stays empty.
            min = (asNumber(r.props["nodeCount"]) ?? asNumber(r.props["initialNodeCount"]) ?? 0) * zones;
        }
        if (min < ctx.settings.minReplicas) {
            ctx.report(`GKE node pool "${r.name}" can shrink to ${min} node${min === 1 ? "" : "s"} across ${zones} zone${zones === 1 ? "" : "s"}, so one node failure can leave no node to run on; raise autoscaling.minNodeCount (per zone) or totalMinNodeCount so the pool keeps at least ${ctx.settings.minReplicas} nodes.`);
        }
    },
});
