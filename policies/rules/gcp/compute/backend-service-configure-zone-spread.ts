import { plural } from "../../../lib/aws";
import { stackRule, type Subject } from "../../../lib/rule";
import { indexBy } from "../../../lib/stack";
import { asArray, asStrings, get, tryGet, UNKNOWN } from "../../../lib/values";

const BACKEND_SERVICES = ["gcp:compute/backendService:BackendService", "gcp:compute/regionBackendService:RegionBackendService"];
const ZONAL_IGM = "gcp:compute/instanceGroupManager:InstanceGroupManager";
const REGIONAL_IGM = "gcp:compute/regionInstanceGroupManager:RegionInstanceGroupManager";

/** The zones a backend group serves from; "regional" for a regional group that does not name its zones. */
type Zones = Set<string> | "regional";

function zonesOfManager(m: Subject): Zones {
    if (m.type === ZONAL_IGM) {
        const zone = get(m.props, "zone");
        return new Set([typeof zone === "string" ? zone : `the zone of ${m.name}`]);
    }
    const zones = asStrings(get(m.props, "distributionPolicyZones"));
    return zones.length > 0 ? new Set(zones) : "regional";
}

/** A group URL names its location: `.../zones/<zone>/instanceGroups/...` or `.../regions/<region>/...`. */
function zonesOfUrl(url: string): Zones | undefined {
    const zone = /\/zones\/([^/]+)\//.exec(url);
    if (zone?.[1]) return new Set([zone[1]]);
    return /\/regions\/[^/]+\//.test(url) ? "regional" : undefined;
}

export const gcpComputeBackendServiceConfigureZoneSpread = stackRule({
    name: "gcp-compute-backend-service-configure-zone-spread",
    description: "A backend service must serve from instance groups in at least two zones, so that losing one zone, or the one zonal managed instance group behind it, leaves a backend.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "compute",
    resource: "backend-service",
    fix: "Use a `gcp.compute.RegionInstanceGroupManager` (leave `distributionPolicyZones` unset or list at least `minAzs` zones) as the backend, or add zonal groups in at least `minAzs` zones to `backends`.",
    check(stack, ctx) {
        const services = stack.ofType(...BACKEND_SERVICES);
        if (services.length === 0) return;
        const managers = [...stack.ofType(ZONAL_IGM), ...stack.ofType(REGIONAL_IGM)];
        const index = indexBy(managers, "instanceGroup", "selfLink", "id");
        stack.each(services, ctx, (s) => {
            const backends = asArray(get(s.props, "backends"));
            if (backends.length === 0) return; // Serverless or NEG-only services are judged elsewhere.
            const deps = (s.propertyDependencies["backends"] ?? []).map((u) => stack.byUrn(u)).filter((m): m is Subject => m !== undefined && (m.type === ZONAL_IGM || m.type === REGIONAL_IGM));
            const zones = new Set<string>();
            let regional = false;
            let unresolved = false;
            for (const b of backends) {
                const group = tryGet(b, "group");
                const manager = typeof group === "string" ? index.get(group) : undefined;
                const found = manager ? zonesOfManager(manager) : typeof group === "string" ? zonesOfUrl(group) : undefined;
                if (found === "regional") regional = true;
                else if (found) found.forEach((z) => zones.add(z));
                else if (group === UNKNOWN || typeof group === "string") unresolved = true;
            }
            if (unresolved) {
                if (deps.length === 0) {
                    ctx.undecided(s.urn, "the instance groups of its backends cannot be resolved");
                    return;
                }
                for (const m of deps) {
                    const found = zonesOfManager(m);
                    if (found === "regional") regional = true;
                    else found.forEach((z) => zones.add(z));
                }
            }
            if (!regional && zones.size < ctx.settings.minAzs) {
                ctx.report(
                    `Backend service "${s.name}" serves only from ${plural(zones.size, "zone")} (${[...zones].join(", ")}), so losing that zone, or the instance group there, leaves no backend; use a RegionInstanceGroupManager over at least ${ctx.settings.minAzs} zones (distributionPolicyZones unset or listing them), or add groups in other zones to backends.`,
                    s.urn,
                );
            }
        });
    },
});
