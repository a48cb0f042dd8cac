import type { StackView, Subject } from "./rule";
import { perStack, pushTo } from "./stack";
import { asArray, asNumber, asRecord, asString, asStrings, get, known, tryGet, UNKNOWN, type Unknown } from "./values";

export const K8S = {
    deployment: "kubernetes:apps/v1:Deployment",
    statefulSet: "kubernetes:apps/v1:StatefulSet",
    replicaSet: "kubernetes:apps/v1:ReplicaSet",
    pdb: "kubernetes:policy/v1:PodDisruptionBudget",
    pdbV1beta1: "kubernetes:policy/v1beta1:PodDisruptionBudget",
    hpaV2: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    hpaV1: "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
    service: "kubernetes:core/v1:Service",
    namespace: "kubernetes:core/v1:Namespace",
} as const;

/** Workloads whose replica count matters; Jobs, CronJobs and DaemonSets are not replica-checked. */
export const REPLICATED_WORKLOADS = [K8S.deployment, K8S.statefulSet] as const;
/** Workloads whose pods are interchangeable replicas from one template, ReplicaSets included. */
export const POD_TEMPLATE_WORKLOADS = [K8S.deployment, K8S.statefulSet, K8S.replicaSet] as const;
export const PDB_TYPES = [K8S.pdb, K8S.pdbV1beta1] as const;
export const HPA_TYPES = [K8S.hpaV2, K8S.hpaV1] as const;

export const STANDBY_ANNOTATION = "langchain-ha.io/standby";
export const FAILOVER_REPLICAS_ANNOTATION = "langchain-ha.io/failover-replicas";
export const ZONE_KEY = "topology.kubernetes.io/zone";
const LEGACY_ZONE_KEY = "failure-domain.beta.kubernetes.io/zone";

export function kindOf(type: string): string {
    return type.slice(type.lastIndexOf(":") + 1);
}

export function namespaceOf(props: Record<string, unknown>): string {
    return asString(get(props, "metadata.namespace")) ?? "default";
}

/** The type token a URN names (the last of its qualified type chain). */
export function urnType(urn: string): string {
    const qualified = urn.split("::")[2] ?? "";
    return qualified.slice(qualified.lastIndexOf("$") + 1);
}

/** The Namespace an object's unknown namespace comes from: the one its `metadata` depends on. */
function namespaceDependency(s: Subject): string | undefined {
    const from = (s.propertyDependencies["metadata"] ?? []).filter((u) => urnType(u) === K8S.namespace);
    return from.length === 1 ? from[0] : undefined;
}

/**
 * The object's namespace. During a preview it is unknown when it comes from a Namespace still
 * to be created; the engine's property dependencies then name that Namespace, whose declared name
 * is the object's namespace (an auto-named Namespace, whose name is unknown too, is keyed by its
 * URN: every object depending on it through `metadata` shares it). Anything else unknown stays
 * undecided (the read throws).
 */
function namespaceKey(stack: StackView, s: Subject): string {
    const ns = resolvedNamespace(stack, s);
    if (ns !== UNKNOWN) return ns;
    const from = namespaceDependency(s);
    if (from !== undefined) return `<namespace ${from}>`;
    return namespaceOf(s.props);
}

/**
 * The object's namespace name, through the Namespace it depends on when unknown in preview (a
 * Namespace's own name is declared, so the engine knows it). UNKNOWN when nothing tells.
 */
export function resolvedNamespace(stack: StackView, s: Subject): string | Unknown {
    const ns = tryGet(s.props, "metadata.namespace");
    if (ns !== UNKNOWN) return asString(ns) ?? "default";
    const from = namespaceDependency(s);
    const name = from === undefined ? UNKNOWN : tryGet(stack.byUrn(from)?.props, "metadata.name");
    return typeof name === "string" ? name : UNKNOWN;
}

/** Objects are related only within one cluster (provider) and one namespace. */
export function scopeKey(s: Subject, stack: StackView): string {
    return `${s.provider ?? "default"}|${namespaceKey(stack, s)}`;
}

/** Objects of some types by scope, each with the scope key it has or the error reading it throws. */
interface ScopeIndex {
    objects: Subject[];
    /** Positions in `objects` by scope key. */
    byKey: Map<string, number[]>;
    /** Positions of the objects whose scope key throws (unknown in preview), and what it throws. */
    failing: number[];
    errors: Map<number, unknown>;
}

const scopeIndexes = perStack(() => new Map<string, ScopeIndex>());

function scopeIndex(stack: StackView, types: readonly string[]): ScopeIndex {
    const indexes = scopeIndexes(stack);
    const id = types.join("|");
    let index = indexes.get(id);
    if (index === undefined) {
        const objects = stack.ofType(...types);
        index = { objects, byKey: new Map(), failing: [], errors: new Map() };
        for (let i = 0; i < objects.length; i++) {
            try {
                pushTo(index.byKey, scopeKey(objects[i] as Subject, stack), i);
            } catch (e) {
                index.failing.push(i);
                index.errors.set(i, e);
            }
        }
        indexes.set(id, index);
    }
    return index;
}

/**
 * The objects of `types` in the scope of `s`, in stack order, read through an index built once
 * per stack: the same as `stack.ofType(...types).filter((o) => scopeKey(o, stack) === scopeKey(s, stack))`
 * evaluated lazily, so a caller that stops early (`some`, `find`) sees what that expression would,
 * including the error of the first object whose scope cannot be read (or of `s`'s own).
 */
export function* sameScope(stack: StackView, types: readonly string[], s: Subject): Generator<Subject> {
    const index = scopeIndex(stack, types);
    if (index.objects.length === 0) return;
    if (index.failing[0] === 0) throw index.errors.get(0);
    const key = scopeKey(s, stack);
    const stop = index.failing[0] ?? index.objects.length;
    for (const i of index.byKey.get(key) ?? []) {
        if (i >= stop) break;
        yield index.objects[i] as Subject;
    }
    if (stop < index.objects.length) throw index.errors.get(stop);
}

/** The objects of `types` whose scope key is `key`, in stack order (those whose key cannot be read left out). */
export function withScope(stack: StackView, types: readonly string[], key: string): Subject[] {
    const index = scopeIndex(stack, types);
    return (index.byKey.get(key) ?? []).map((i) => index.objects[i] as Subject);
}

/** The objects of `types` whose scope key is `key` or cannot be read, in stack order. */
export function withScopeOrUnreadable(stack: StackView, types: readonly string[], key: string): Subject[] {
    const index = scopeIndex(stack, types);
    const positions = [...(index.byKey.get(key) ?? []), ...index.failing].sort((a, b) => a - b);
    return positions.map((i) => index.objects[i] as Subject);
}

/** The object's name in the cluster, falling back to the Pulumi name. */
export function objectName(s: Subject): string {
    return asString(get(s.props, "metadata.name")) ?? s.name;
}

export function podLabels(props: Record<string, unknown>): Record<string, unknown> {
    return asRecord(get(props, "spec.template.metadata.labels"));
}

export function containers(props: Record<string, unknown>): Record<string, unknown>[] {
    return asArray(get(props, "spec.template.spec.containers")).map(asRecord);
}

/** `spec.replicas`, which Kubernetes defaults to 1. */
export function replicasOf(props: Record<string, unknown>): number {
    return asNumber(get(props, "spec.replicas")) ?? 1;
}

export function annotation(props: Record<string, unknown>, key: string): string | undefined {
    return asString(asRecord(get(props, "metadata.annotations"))[key]);
}

/** A pilot-light standby is scaled to zero on purpose and declares its failover size. */
export function isStandby(props: Record<string, unknown>): boolean {
    return annotation(props, STANDBY_ANNOTATION) === "pilot-light";
}

export function isQdrant(props: Record<string, unknown>): boolean {
    const labels = { ...asRecord(get(props, "metadata.labels")), ...podLabels(props) };
    if (labels["app.kubernetes.io/name"] === "qdrant") {
        return true;
    }
    return containers(props).some((c) => /(^|\/)qdrant\/qdrant(:|@|$)/.test(asString(c["image"]) ?? ""));
}

/**
 * A container's environment variables that have a plain `value` (`valueFrom` ones are left out).
 * A value unknown in preview is UNKNOWN: its presence is known, what it says is not.
 */
export function containerEnv(c: Record<string, unknown>): Map<string, string | Unknown> {
    const env = new Map<string, string | Unknown>();
    for (const e of asArray(c["env"]).map(asRecord)) {
        const name = asString(e["name"]);
        const value = known(() => e["value"]);
        if (name === undefined) continue;
        if (value === UNKNOWN) env.set(name, UNKNOWN);
        else if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") env.set(name, String(value));
    }
    return env;
}

/**
 * Label-selector semantics of Kubernetes: every matchLabels pair and every matchExpression must
 * hold. An empty selector `{}` selects everything; an absent one selects nothing.
 */
export function selectorMatches(selector: unknown, labels: Record<string, unknown>): boolean {
    if (selector === undefined || selector === null) {
        return false;
    }
    const sel = asRecord(selector);
    for (const [k, v] of Object.entries(asRecord(sel["matchLabels"]))) {
        if (labels[k] !== v) {
            return false;
        }
    }
    for (const expr of asArray(sel["matchExpressions"]).map(asRecord)) {
        const key = asString(expr["key"]) ?? "";
        const values = asStrings(expr["values"]);
        const present = Object.prototype.hasOwnProperty.call(labels, key);
        const value = asString(labels[key]);
        switch (expr["operator"]) {
            case "In":
                if (!present || value === undefined || !values.includes(value)) return false;
                break;
            case "NotIn":
                if (present && value !== undefined && values.includes(value)) return false;
                break;
            case "Exists":
                if (!present) return false;
                break;
            case "DoesNotExist":
                if (present) return false;
                break;
            default:
                return false;
        }
    }
    return true;
}

/** A Service's selector is a plain map; an empty one selects no pods. */
export function serviceSelects(selector: unknown, labels: Record<string, unknown>): boolean {
    const sel = asRecord(selector);
    return Object.keys(sel).length > 0 && selectorMatches({ matchLabels: sel }, labels);
}

export function isZoneKey(key: unknown): boolean {
    return key === ZONE_KEY || key === LEGACY_ZONE_KEY;
}

/** How a workload spreads its pods over zones: spreads, or why it does not. */
export type ZoneSpread = { spreads: true } | { spreads: false; why: string[] };

/**
 * Whether the pod template really spreads its pods over zones: a zone topology spread constraint
 * that is enforced (`whenUnsatisfiable: DoNotSchedule`, the default), counts the workload's own
 * pods (its labelSelector matches the template's labels) and whose maxSkew is below the replica
 * count (else every pod may sit in one zone), or a required zone anti-affinity that counts its own
 * pods. Preferred anti-affinity and ScheduleAnyway are hints the scheduler may drop.
 * `replicas` is undefined when an autoscaler sets it.
 */
export function zoneSpreadOf(props: Record<string, unknown>, replicas: number | undefined): ZoneSpread {
    const pod = asRecord(get(props, "spec.template.spec"));
    const labels = podLabels(props);
    const why: string[] = [];
    for (const c of asArray(pod["topologySpreadConstraints"]).map(asRecord)) {
        if (!isZoneKey(c["topologyKey"])) continue;
        const skew = asNumber(c["maxSkew"]) ?? 1;
        // ScheduleAnyway is a score, not a constraint: once a zone is full or gone it places pods anywhere.
        if ((asString(c["whenUnsatisfiable"]) ?? "DoNotSchedule") !== "DoNotSchedule") why.push("its zone topology spread is ScheduleAnyway, a hint the scheduler drops when a zone is full");
        else if (!selectorMatches(c["labelSelector"], labels)) why.push("its zone topology spread's labelSelector matches none of its own pods, so it counts nothing");
        else if (replicas !== undefined && skew >= replicas) why.push(`its zone topology spread allows a maxSkew of ${skew} with ${replicas} replicas, so every pod may run in one zone`);
        else return { spreads: true };
    }
    const anti = asRecord(get(pod, "affinity.podAntiAffinity"));
    for (const t of asArray(anti["requiredDuringSchedulingIgnoredDuringExecution"]).map(asRecord)) {
        if (!isZoneKey(t["topologyKey"])) continue;
        if (selectorMatches(t["labelSelector"], labels)) return { spreads: true };
        why.push("its required zone anti-affinity's labelSelector matches none of its own pods");
    }
    const preferred = asArray(anti["preferredDuringSchedulingIgnoredDuringExecution"]).map((p) => asRecord(asRecord(p)["podAffinityTerm"]));
    if (preferred.some((t) => isZoneKey(t["topologyKey"]))) why.push("its zone anti-affinity is only preferred, which the scheduler may ignore");
    return { spreads: false, why };
}

/** Spread over zones by a topology spread constraint or by zone anti-affinity that is enforced. */
export function spreadsOverZones(props: Record<string, unknown>): boolean {
    return zoneSpreadOf(props, asNumber(get(props, "spec.replicas"))).spreads;
}

/**
 * Whether an HPA targets a workload of its scope: by kind and name or, when the name is
 * auto-assigned or not known yet (a preview), by the HPA's dependency on the workload. An HPA
 * whose unknown target name comes from another workload of that kind targets that one, not
 * this; a target name that is unknown and comes from no workload stays undecided (the read throws).
 */
export function hpaTargets(hpa: Subject, w: Subject): boolean {
    const ref = asRecord(get(hpa.props, "spec.scaleTargetRef"));
    const kind = asString(ref["kind"]);
    if (kind !== kindOf(w.type)) return false;
    const deps = [...hpa.dependencies, ...Object.values(hpa.propertyDependencies).flat()];
    if (deps.includes(w.urn)) return true;
    const name = known(() => ref["name"]);
    if (name === undefined) return false;
    if (name === UNKNOWN && deps.some((u) => urnType(u) === w.type)) return false;
    return asString(ref["name"]) === objectName(w);
}
