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
import { asNumber, get, known, UNKNOWN, type Unknown } from "./values";

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

/** Whether `hpa` depends on `w`: then it targets `w` whatever else is unknown. */
function dependsOn(hpa: Subject, w: Subject): boolean {
    return [...hpa.dependencies, ...Object.values(hpa.propertyDependencies).flat()].includes(w.urn);
}

/**
 * The HPA that targets `w`, among those of its scope and those whose namespace is unknown in
 * preview (`floating`, same cluster): one that surely targets it wins; otherwise an HPA whose
 * target name or namespace is unknown may target it, and the workload is undecided (UNKNOWN).
 */
function hpaOf(w: Subject, inScope: Subject[], floating: Subject[]): Subject | undefined | Unknown {
    let maybe = false;
    for (const h of inScope) {
        const t = known(() => hpaTargets(h, w));
        if (t === true) return h;
        if (t === UNKNOWN) maybe = true;
    }
    for (const h of floating) {
        if (h.provider !== w.provider) continue;
        if (dependsOn(h, w) && known(() => hpaTargets(h, w)) === true) return h;
        if (known(() => hpaTargets(h, w)) !== false) maybe = true; // Its name may match, its namespace is unknown.
    }
    return maybe ? UNKNOWN : undefined;
}

/** Deployments and StatefulSets (or the given kinds) with the HPA that targets each (same provider and namespace). */
export function workloads(stack: StackView, ctx: RuleContext, types: readonly string[] = REPLICATED_WORKLOADS): Workload[] {
    const hpas = new Map<string, Subject[]>();
    /** HPAs whose namespace is unknown in preview with no Namespace dependency. */
    const floating: Subject[] = [];
    for (const h of stack.ofType(...HPA_TYPES)) {
        const scope = known(() => scopeKey(h, stack));
        if (scope === UNKNOWN) floating.push(h);
        else pushTo(hpas, scope, h);
    }
    const result: Workload[] = [];
    stack.each(stack.ofType(...types), ctx, (w) => {
        const scope = scopeKey(w, stack);
        const kind = kindOf(w.type);
        const hpa = hpaOf(w, hpas.get(scope) ?? [], floating);
        if (hpa === UNKNOWN) return ctx.undecided(w.urn, `a HorizontalPodAutoscaler whose target name or namespace is unknown in preview may scale this ${kind}`);
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
