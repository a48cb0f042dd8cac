import { PDB_TYPES, scopeKey, selectorMatches } from "../../../lib/kubernetes";
import { stackRule, type Subject } from "../../../lib/rule";
import { pushTo } from "../../../lib/stack";
import { get, known, UNKNOWN } from "../../../lib/values";
import { workloads } from "../../../lib/workloads";

export const kubernetesAppsWorkloadMissingPdb = stackRule({
    name: "kubernetes-apps-workload-missing-pdb",
    description: "A workload with two or more replicas must be selected by a PodDisruptionBudget, so that a node drain cannot evict all its pods at once.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "apps",
    resource: "workload",
    fix: "Declare a `policy/v1` PodDisruptionBudget in the same namespace and cluster whose `selector` matches the pod template labels, with `maxUnavailable: 1`.",
    check(stack, ctx) {
        const pdbs = new Map<string, Subject[]>();
        /** PDBs whose namespace is unknown in preview with no Namespace dependency: they may cover any workload of their cluster. */
        const floating: Subject[] = [];
        for (const p of stack.ofType(...PDB_TYPES)) {
            const scope = known(() => scopeKey(p, stack));
            if (scope === UNKNOWN) floating.push(p);
            else pushTo(pdbs, scope, p);
        }
        for (const w of workloads(stack, ctx)) {
            if (w.replicas < 2 && (w.hpaMin ?? 0) < 2) continue; // Single-replica and standby workloads are judged by the replica rules.
            stack.each([w.subject], ctx, () => {
                const covered = (pdbs.get(w.scope) ?? []).some((p) => selectorMatches(get(p.props, "spec.selector"), w.labels));
                if (covered) return;
                const maybe = floating.some((p) => p.provider === w.subject.provider && known(() => selectorMatches(get(p.props, "spec.selector"), w.labels)) !== false);
                if (maybe) ctx.undecided(w.subject.urn, "a PodDisruptionBudget whose namespace is unknown in preview selects its pods and may be in its namespace");
                else {
                    ctx.report(
                        `${w.kind} "${w.subject.name}" has no PodDisruptionBudget selecting its pods, so a node drain or upgrade may evict all of them at once; add a PodDisruptionBudget in its namespace whose selector matches its pod labels, with maxUnavailable: 1.`,
                        w.subject.urn,
                    );
                }
            });
        }
    },
});
