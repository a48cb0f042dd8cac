import {
    hpaTarget,
    HPA_TYPES,
    isQdrant,
    isStandby,
    kindOf,
    objectName,
    podLabels,
    REPLICATED_WORKLOADS,
    replicasOf,
    scopeKey,
} from "./kubernetes";
import type { RuleContext, StackView, Subject } from "./rule";
import { pushTo } from "./stack";
import { asNumber, get } from "./values";

export interface Workload {
    subject: Subject;
    kind: string;
    scope: string;
    labels: Record<string, unknown>;
    replicas: number;
    /** minReplicas of the HPA targeting it, if any. */
    hpaMin?: number;
    /** The fewest pods it may run: the HPA's minimum when one targets it, else spec.replicas. */
    minPods: number;
    qdrant: boolean;
    standby: boolean;
}

/** Deployments and StatefulSets with the HPA that targets each (same provider and namespace). */
export function workloads(stack: StackView, ctx: RuleContext): Workload[] {
    const hpas = new Map<string, Subject[]>();
    stack.each(stack.ofType(...HPA_TYPES), ctx, (h) => {
        pushTo(hpas, scopeKey(h), h);
    });
    const result: Workload[] = [];
    stack.each(stack.ofType(...REPLICATED_WORKLOADS), ctx, (w) => {
        const scope = scopeKey(w);
        const kind = kindOf(w.type);
        const name = objectName(w);
        const hpa = (hpas.get(scope) ?? []).find((h) => {
            const target = hpaTarget(h);
            // Match by name; when names are auto-assigned, by the HPA's dependency on the workload.
            return target !== undefined && target.kind === kind && (target.name === name || h.dependencies.includes(w.urn));
        });
        const replicas = replicasOf(w.props);
        const hpaMin = hpa ? asNumber(get(hpa.props, "spec.minReplicas")) ?? 1 : undefined;
        result.push({
            subject: w,
            kind,
            scope,
            labels: podLabels(w.props),
            replicas,
            hpaMin,
            minPods: hpaMin ?? replicas,
            qdrant: isQdrant(w.props),
            standby: isStandby(w.props),
        });
    });
    return result;
}

/** The replica minimum of a workload: `minQdrantReplicas` for Qdrant, else `minReplicas`. */
export function minPodsFor(w: { qdrant: boolean }, ctx: RuleContext): number {
    return w.qdrant ? ctx.settings.minQdrantReplicas : ctx.settings.minReplicas;
}
