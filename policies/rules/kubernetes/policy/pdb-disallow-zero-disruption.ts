import { kindOf, PDB_TYPES, scopeKey, selectorMatches } from "../../../lib/kubernetes";
import { stackRule } from "../../../lib/rule";
import { pushTo } from "../../../lib/stack";
import { asNumber, get } from "../../../lib/values";
import { workloads, type Workload } from "../../../lib/workloads";

export const kubernetesPolicyPdbDisallowZeroDisruption = stackRule({
    name: "kubernetes-policy-pdb-disallow-zero-disruption",
    description: "A PodDisruptionBudget must still allow one pod to be evicted, or node drains and cluster upgrades block and the nodes cannot be replaced.",
    severity: "medium",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "policy",
    resource: "pdb",
    fix: "Use `maxUnavailable: 1` (or a `minAvailable` below the replica count of every workload it selects; a percentage is rounded up, so `67%` of 3 pods is 3).",
    check(stack, ctx) {
        const byScope = new Map<string, Workload[]>();
        for (const w of workloads(stack, ctx)) pushTo(byScope, w.scope, w);
        stack.each(stack.ofType(...PDB_TYPES), ctx, (p) => {
            const maxUnavailable = get(p.props, "spec.maxUnavailable");
            const minAvailable = get(p.props, "spec.minAvailable");
            const tell = (why: string) =>
                ctx.report(`PodDisruptionBudget "${p.name}" ${why}, so no pod can ever be evicted and node drains and upgrades hang; use maxUnavailable: 1.`, p.urn);
            if (maxUnavailable === 0 || maxUnavailable === "0%" || maxUnavailable === "0") {
                tell("sets maxUnavailable to 0");
                return;
            }
            if (minAvailable === "100%") {
                tell("requires 100% of pods available");
                return;
            }
            const percent = typeof minAvailable === "string" ? /^(\d+(?:\.\d+)?)%$/.exec(minAvailable.trim()) : null;
            const min = asNumber(minAvailable);
            if (!percent && (min === undefined || typeof minAvailable !== "number")) return;
            // Kubernetes rounds a percentage of minAvailable up: 67% of 3 pods is 3, not 2.
            const required = (pods: number) => (percent ? Math.ceil((Number(percent[1]) / 100) * pods) : (min as number));
            const selector = get(p.props, "spec.selector");
            const blocked = (byScope.get(scopeKey(p, stack)) ?? []).find((w) => selectorMatches(selector, w.labels) && w.minPods > 0 && required(w.minPods) >= w.minPods);
            if (blocked) {
                const what = `${kindOf(blocked.subject.type)} "${blocked.subject.name}"`;
                tell(
                    percent
                        ? `requires minAvailable ${minAvailable} of ${what}, which Kubernetes rounds up to all ${blocked.minPods} of its pods`
                        : `requires minAvailable ${min} of ${what}, which runs ${blocked.minPods}`,
                );
            }
        });
    },
});
