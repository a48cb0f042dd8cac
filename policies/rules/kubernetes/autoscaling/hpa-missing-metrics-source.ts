import { CLUSTER_TYPES } from "../../../lib/clouds";
import { clusterOfProvider } from "../../../lib/clusters";
import { containers, HPA_TYPES, K8S } from "../../../lib/kubernetes";
import { stackRule, type StackView, type Subject } from "../../../lib/rule";
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

/** Whether the HPA's cluster serves resource metrics: an APIService, a metrics-server Deployment or the EKS add-on. */
function metricsServed(stack: StackView, hpa: Subject, cluster: Subject): boolean | Unknown {
    const sameCluster = (s: Subject) => s.provider === hpa.provider;
    const image = (c: Record<string, unknown>) => {
        const v = tryGet(c, "image");
        return v === UNKNOWN ? UNKNOWN : typeof v === "string" && v.includes("metrics-server");
    };
    const byApi = any(stack.ofType(API_SERVICE).filter(sameCluster), (a) => {
        const name = tryGet(a.props, "metadata.name");
        return name === UNKNOWN ? UNKNOWN : name === METRICS_API;
    });
    const byDeployment = any(stack.ofType(K8S.deployment).filter(sameCluster), (d) => any(containers(d.props), image));
    const byAddon = any(stack.ofType(EKS_ADDON), (a) => {
        // The add-on's cluster: by dependency, else by a known name; an unknown name no dependency explains may be this one.
        const deps = a.propertyDependencies["clusterName"] ?? [];
        const clusterName = tryGet(a.props, "clusterName");
        const ofCluster = deps.includes(cluster.urn) ? true : clusterName === UNKNOWN ? (deps.length > 0 ? false : UNKNOWN) : clusterName === tryGet(cluster.props, "name");
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
