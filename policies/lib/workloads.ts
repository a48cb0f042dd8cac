import {
    hpaTargets,
    HPA_TYPES,
    isQdrant,
    isStandby,
    kindOf,
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
    /** The HPA targeting it, if any. */
    hpa?: Subject;
    /** minReplicas of the HPA targeting it, if any. */
    hpaMin?: number;
    /** The fewest pods it may run: the HPA's minimum when one targets it, else spec.replicas. */
    minPods: number;
    qdrant: boolean;
    standby: boolean;
}

/** Deployments and StatefulSets (or the given kinds) with the HPA that targets each (same provider and namespace). */
export function workloads(stack: StackView, ctx: RuleContext, types: readonly string[] = REPLICATED_WORKLOADS): Workload[] {
    const hpas = new Map<string, Subject[]>();
    stack.each(stack.ofType(...HPA_TYPES), ctx, (h) => {
        pushTo(hpas, scopeKey(h, stack), h);
    });
    const result: Workload[] = [];
    stack.each(stack.ofType(...types), ctx, (w) => {
        const scope = scopeKey(w, stack);
        const kind = kindOf(w.type);
        const hpa = (hpas.get(scope) ?? []).find((h) => hpaTargets(h, w));
        const replicas = replicasOf(w.props);
        const hpaMin = hpa ? asNumber(get(hpa.props, "spec.minReplicas")) ?? 1 : undefined;
        result.push({
            subject: w,
            kind,
            scope,
            labels: podLabels(w.props),
            replicas,
            hpa,
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
