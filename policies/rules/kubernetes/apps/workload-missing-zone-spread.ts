import { kindOf, REPLICATED_WORKLOADS, zoneSpreadOf } from "../../../lib/kubernetes";
import { resourceRule } from "../../../lib/rule";
import { asNumber, get } from "../../../lib/values";

export const kubernetesAppsWorkloadMissingZoneSpread = resourceRule({
    name: "kubernetes-apps-workload-missing-zone-spread",
    description: "A multi-replica workload must spread its pods over zones (topology spread or anti-affinity on the zone key), so that one zone outage does not take all replicas.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "apps",
    resource: "workload",
    fix: "Add a `topologySpreadConstraints` entry with `topologyKey: topology.kubernetes.io/zone`, `whenUnsatisfiable: DoNotSchedule` (`ScheduleAnyway` is a hint the scheduler drops when a zone is full), `maxSkew` below the replica count and a `labelSelector` matching the pod labels, or a required zone `podAntiAffinity`, to the pod template.",
    types: REPLICATED_WORKLOADS,
    check(r, ctx) {
        const replicas = asNumber(get(r.props, "spec.replicas"));
        // Explicit 0 or 1: not multi-replica (the replica rule judges that); unset: an HPA usually scales it.
        if (replicas !== undefined && replicas < 2) return;
        const spread = zoneSpreadOf(r.props, replicas);
        if (spread.spreads) return;
        if (spread.why.length === 0) {
            ctx.report(`${kindOf(r.type)} "${r.name}" does not spread its pods over zones, so the scheduler may put every replica in one zone and one zone outage stops it; add topologySpreadConstraints with topologyKey topology.kubernetes.io/zone.`);
        } else {
            ctx.report(`${kindOf(r.type)} "${r.name}" declares a zone spread that spreads nothing (${spread.why.join("; ")}), so one zone outage can stop it; use a topologySpreadConstraint on topology.kubernetes.io/zone with whenUnsatisfiable DoNotSchedule, maxSkew 1 and a labelSelector matching its pod labels.`);
        }
    },
});
