import { resourceRule } from "../../../lib/rule";
import { asNumber, asRecord, asString, get, has, known, UNKNOWN } from "../../../lib/values";

const NAME = "kubernetes-helm-release-configure-replicas";

/** Value keys charts use for a workload's pod count, and for an autoscaler's floor. */
const REPLICA_KEYS = new Set(["replicaCount", "replicas"]);
const HPA_BLOCKS = new Set(["autoscaling", "hpa", "autoscaler"]);

interface ReplicaValue {
    path: string;
    count: number | undefined;
}

/**
 * Every replica count in a chart's values: `replicaCount` / `replicas` at any depth, or an
 * enabled `autoscaling` block's `minReplicas`, which then wins over its sibling replica count.
 * Subtrees with `enabled: false` (a disabled subchart or component) are skipped.
 */
function replicaValues(values: unknown, path: string[] = []): ReplicaValue[] {
    const obj = asRecord(values);
    if (known(() => obj["enabled"]) === false) return [];
    const found: ReplicaValue[] = [];
    let autoscaled: ReplicaValue | undefined;
    for (const key of Object.keys(obj)) {
        const v = known(() => obj[key]);
        const here = [...path, key];
        if (HPA_BLOCKS.has(key) && known(() => asRecord(v)["enabled"]) === true) {
            const min = known(() => asRecord(v)["minReplicas"]);
            autoscaled = { path: [...here, "minReplicas"].join("."), count: min === UNKNOWN ? undefined : asNumber(min) ?? 1 };
        } else if (REPLICA_KEYS.has(key) && (typeof v === "number" || typeof v === "string" || v === UNKNOWN)) {
            found.push({ path: here.join("."), count: v === UNKNOWN ? undefined : asNumber(v) });
        } else if (v !== null && typeof v === "object" && !Array.isArray(v)) {
            found.push(...replicaValues(v, here));
        }
    }
    if (autoscaled) return [...found.filter((f) => f.path.split(".").length !== path.length + 1), autoscaled];
    return found;
}

export const kubernetesHelmReleaseConfigureReplicas = resourceRule({
    name: NAME,
    description: "A Helm release, whose objects the engine never sees, must set every replica count in its values to at least two (three for Qdrant), and is reported as undecided when its values set none.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "helm",
    resource: "release",
    fix: "Set the chart's replica values (`replicaCount`, `<component>.replicaCount`, or `autoscaling.enabled` with `autoscaling.minReplicas`) to at least `minReplicas` in `values`; or declare the chart with `kubernetes.helm.v3.Chart` (or `helm.v4.Chart`), whose objects the pack checks one by one.",
    types: ["kubernetes:helm.sh/v3:Release"],
    check(r, ctx) {
        const chart = asString(get(r.props, "chart")) ?? "";
        const qdrant = /(^|\/)qdrant$/.test(chart);
        const min = qdrant ? ctx.settings.minQdrantReplicas : ctx.settings.minReplicas;
        const what = `Helm release "${r.name}"${chart ? ` (chart ${chart})` : ""}`;
        const values = replicaValues(get(r.props, "values"));
        const low = values.filter((v) => v.count !== undefined && v.count < min);
        if (low.length > 0) {
            ctx.report(
                `${what} runs ${low.map((v) => `${v.path} = ${v.count}`).join(", ")}, so one pod or node failure ${qdrant ? "loses Qdrant's quorum or data copies" : "stops what it deploys"}; set ${low.map((v) => `values.${v.path}`).join(", ")} to at least ${min}.`,
            );
            return;
        }
        if (values.length === 0) {
            const files = has(r.props, "valueYamlFiles") ? " (values in valueYamlFiles are not read)" : "";
            ctx.advise(
                `Cannot decide ${NAME} for "${r.name}": its values set no replica count${files}, so the chart's defaults decide, and the engine never sees the objects it deploys; set values.replicaCount (or the chart's equivalent) to at least ${min}, or declare the chart with kubernetes.helm.v3.Chart so its objects are checked.`,
            );
        } else if (values.some((v) => v.count === undefined)) {
            ctx.undecided(r.urn, `${values.filter((v) => v.count === undefined).map((v) => `values.${v.path}`).join(", ")} is not known yet`);
        }
    },
});
