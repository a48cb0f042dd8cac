import { isZone } from "../../../lib/gcp";
import { resourceRule } from "../../../lib/rule";
import { asString, asStrings } from "../../../lib/values";

export const gcpContainerClusterConfigureRegional = resourceRule({
    name: "gcp-container-cluster-configure-regional",
    description: "A GKE cluster must be regional or span several zones, so that its control plane and nodes survive a zone outage.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "container",
    resource: "cluster",
    fix: "Set `location` to a region (e.g. `europe-west1`), or add other zones to `nodeLocations`.",
    types: ["gcp:container/cluster:Cluster"],
    check(r, ctx) {
        const location = asString(r.props["location"]);
        if (location === undefined) return;
        // nodeLocations replaces a regional cluster's default zones; listed twice, a zone is still one zone.
        const nodeZones = new Set(asStrings(r.props["nodeLocations"]));
        if (!isZone(location)) {
            if (nodeZones.size === 1) {
                ctx.report(`GKE cluster "${r.name}" is regional (${location}) but its nodeLocations put every node in one zone (${[...nodeZones][0]}), so losing that zone leaves no node to run on; list at least two zones in nodeLocations, or leave it unset.`);
            }
            return;
        }
        const others = [...nodeZones].filter((z) => z !== location);
        if (others.length === 0) {
            ctx.report(`GKE cluster "${r.name}" is zonal (${location}) with no other node locations, so losing that zone takes the cluster down; set location to a region or add zones to nodeLocations.`);
        }
    },
});
