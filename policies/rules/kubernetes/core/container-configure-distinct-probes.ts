import { containers, kindOf, REPLICATED_WORKLOADS } from "../../../lib/kubernetes";
import { resourceRule } from "../../../lib/rule";
import { asRecord, asString } from "../../../lib/values";

const HANDLERS = ["httpGet", "tcpSocket", "exec", "grpc"] as const;

/** The probe's handler (what it calls), ignoring timings. */
function handler(probe: unknown): string | undefined {
    const p = asRecord(probe);
    const found = HANDLERS.find((h) => p[h] !== undefined);
    return found ? JSON.stringify([found, p[found]]) : undefined;
}

export const kubernetesCoreContainerConfigureDistinctProbes = resourceRule({
    name: "kubernetes-core-container-configure-distinct-probes",
    description: "A container's liveness probe should call a different check than its readiness probe, so that a failing dependency does not restart every pod at once.",
    severity: "medium",
    enforcementLevel: "advisory",
    provider: "kubernetes",
    service: "core",
    resource: "container",
    fix: "Point `livenessProbe` at a shallow endpoint (process alive, e.g. `/livez`) and `readinessProbe` at the deep one (dependencies ready, e.g. `/readyz`).",
    types: REPLICATED_WORKLOADS,
    check(r, ctx) {
        for (const c of containers(r.props)) {
            const readiness = handler(c["readinessProbe"]);
            if (readiness !== undefined && readiness === handler(c["livenessProbe"])) {
                const name = asString(c["name"]) ?? "?";
                ctx.report(`Container "${name}" of ${kindOf(r.type)} "${r.name}" uses the same check for readiness and liveness, so a failing dependency restarts every pod at once; point livenessProbe at a shallow endpoint such as /livez.`);
            }
        }
    },
});
