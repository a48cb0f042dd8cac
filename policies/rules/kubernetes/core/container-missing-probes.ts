import { containers, kindOf, REPLICATED_WORKLOADS } from "../../../lib/kubernetes";
import { resourceRule } from "../../../lib/rule";
import { asString, has } from "../../../lib/values";

export const kubernetesCoreContainerMissingProbes = resourceRule({
    name: "kubernetes-core-container-missing-probes",
    description: "Every container of a Deployment or StatefulSet must have a readiness and a liveness probe, so that a broken pod gets no traffic and is restarted.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "core",
    resource: "container",
    fix: "Add `readinessProbe` (a deep check, e.g. `/readyz`) and `livenessProbe` (a shallow one, e.g. `/livez`) to each container.",
    types: REPLICATED_WORKLOADS,
    check(r, ctx) {
        for (const c of containers(r.props)) {
            const missing = ["readinessProbe", "livenessProbe"].filter((p) => !has(c, p));
            if (missing.length > 0) {
                const name = asString(c["name"]) ?? "?";
                ctx.report(`Container "${name}" of ${kindOf(r.type)} "${r.name}" has no ${missing.join(" or ")}, so a hung or unready pod keeps receiving traffic or is never restarted; add ${missing.join(" and ")}.`);
            }
        }
    },
});
