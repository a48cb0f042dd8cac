import { CLUSTER_TYPES } from "../../../lib/clouds";
import { clusterOfProvider } from "../../../lib/clusters";
import { containers, HPA_TYPES, K8S } from "../../../lib/kubernetes";
import { stackRule, type StackView, type Subject } from "../../../lib/rule";
import { ofTypeWithProvider, perStack, pushTo } from "../../../lib/stack";
import { asArray, known, knownElements, tryGet, UNKNOWN, type Unknown } from "../../../lib/values";

const API_SERVICE = "kubernetes:apiregistration.k8s.io/v1:APIService";
const EKS_ADDON = "aws:eks/addon:Addon";
const METRICS_API = "v1beta1.metrics.k8s.io";

/** Yes when any candidate says yes, else unknown when any cannot tell (preview), else no. */
function any<T>(items: T[], test: (item: T) => boolean | Unknown): boolean | Unknown {
    let unknown = false;
    for (const item of items) {
        const v = known(() => test(item));
        if (v === true) return true;
        if (v === UNKNOWN) unknown = true;
    }
    return unknown ? UNKNOWN : false;
}

/** Both hold: no when either is known not to, unknown when either cannot tell. */
function both(a: boolean | Unknown, b: boolean | Unknown): boolean | Unknown {
    if (a === false || b === false) return false;
    return a === UNKNOWN || b === UNKNOWN ? UNKNOWN : true;
}

/**
 * An HPA reads the resource metrics API when it scales on CPU or memory (autoscaling/v1 always
 * does), judged metric by metric: one known Resource metric decides, whatever the others are.
 */
function readsResourceMetrics(hpa: Subject): boolean | Unknown {
    if (hpa.type === K8S.hpaV1) return true;
    const metrics = tryGet(hpa.props, "spec.metrics");
    if (metrics === UNKNOWN) return UNKNOWN;
    return any(knownElements(asArray(metrics)), (m) => (m === UNKNOWN ? UNKNOWN : ["Resource", "ContainerResource"].includes(tryGet(m, "type") as string)));
}

/**
 * EKS add-ons by what ties them to a cluster: the clusters their `clusterName` depends on, their
 * known `clusterName`, or neither (a name unknown in preview that no dependency explains, which
 * may be any cluster's). An add-on in none of a cluster's lists is known to be another cluster's.
 */
const addonsByCluster = perStack((stack) => {
    const byDependency = new Map<string, Subject[]>();
    const byName = new Map<unknown, Subject[]>();
    const unplaced: Subject[] = [];
    for (const a of stack.ofType(EKS_ADDON)) {
        const deps = a.propertyDependencies["clusterName"] ?? [];
        for (const urn of new Set(deps)) pushTo(byDependency, urn, a);
        const clusterName = tryGet(a.props, "clusterName");
        if (clusterName !== UNKNOWN) pushTo(byName, clusterName, a);
        else if (deps.length === 0) unplaced.push(a);
    }
    /** The add-ons that may be the cluster's, each with whether it is (true) or may be (unknown). */
    return (cluster: Subject): [Subject, true | Unknown][] => [
        ...[...(byDependency.get(cluster.urn) ?? []), ...(byName.get(tryGet(cluster.props, "name")) ?? [])].map((a): [Subject, true] => [a, true]),
        ...unplaced.map((a): [Subject, Unknown] => [a, UNKNOWN]),
    ];
});

/** Whether the HPA's cluster serves resource metrics: an APIService, a metrics-server Deployment or the EKS add-on. */
function metricsServed(stack: StackView, hpa: Subject, cluster: Subject): boolean | Unknown {
    const sameCluster = (type: string) => ofTypeWithProvider(stack, type, hpa.provider);
    const image = (c: Record<string, unknown>) => {
        const v = tryGet(c, "image");
        return v === UNKNOWN ? UNKNOWN : typeof v === "string" && v.includes("metrics-server");
    };
    const byApi = any(sameCluster(API_SERVICE), (a) => {
        const name = tryGet(a.props, "metadata.name");
        return name === UNKNOWN ? UNKNOWN : name === METRICS_API;
    });
    const byDeployment = any(sameCluster(K8S.deployment), (d) => any(containers(d.props), image));
    // Yes, no or unknown whatever the order: only the add-ons that may be the cluster's are asked.
    const byAddon = any(addonsByCluster(stack)(cluster), ([a, ofCluster]) => {
        const named = tryGet(a.props, "addonName");
        return both(ofCluster, named === UNKNOWN ? UNKNOWN : named === "metrics-server");
    });
    return any<boolean | Unknown>([byApi, byDeployment, byAddon], (v) => v);
}

export const kubernetesAutoscalingHpaMissingMetricsSource = stackRule({
    name: "kubernetes-autoscaling-hpa-missing-metrics-source",
    description: "An HPA on CPU or memory in an EKS cluster needs a metrics server in that cluster, which EKS does not install, or it never scales.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "autoscaling",
    resource: "hpa",
    fix: "Install metrics-server in the EKS cluster: the `metrics-server` EKS add-on, or its Deployment and the `v1beta1.metrics.k8s.io` APIService on the same Kubernetes provider.",
    check(stack, ctx) {
        for (const hpa of stack.ofType(...HPA_TYPES)) {
            const cluster = clusterOfProvider(stack, hpa.provider);
            if (cluster?.type !== CLUSTER_TYPES.aws) continue; // GKE and other platforms serve resource metrics themselves.
            const reads = readsResourceMetrics(hpa);
            if (reads === false) continue;
            const served = metricsServed(stack, hpa, cluster);
            if (served === true) continue;
            if (reads === UNKNOWN || served === UNKNOWN) {
                ctx.undecided(hpa.urn, reads === UNKNOWN ? "whether it scales on resource metrics is unknown in preview" : "whether a metrics server serves its cluster is unknown in preview (an add-on, APIService or image not known yet)");
                continue;
            }
            ctx.report(
                `HorizontalPodAutoscaler "${hpa.name}" scales on resource metrics in EKS cluster "${cluster.name}", which serves none without a metrics server, so it never scales; install metrics-server there (the metrics-server EKS add-on, or its Deployment and the ${METRICS_API} APIService).`,
                hpa.urn,
            );
        }
    },
});
