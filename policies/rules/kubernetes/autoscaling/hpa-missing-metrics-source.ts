import { CLUSTER_TYPES } from "../../../lib/clouds";
import { clusterOfProvider } from "../../../lib/clusters";
import { containers, HPA_TYPES, K8S, objectName } from "../../../lib/kubernetes";
import { stackRule, type Subject } from "../../../lib/rule";
import { asArray, asRecord, asString, get, tryGet } from "../../../lib/values";

const API_SERVICE = "kubernetes:apiregistration.k8s.io/v1:APIService";
const EKS_ADDON = "aws:eks/addon:Addon";
const METRICS_API = "v1beta1.metrics.k8s.io";

/** An HPA reads the resource metrics API when it scales on CPU or memory (autoscaling/v1 always does). */
function readsResourceMetrics(hpa: Subject): boolean {
    if (hpa.type === K8S.hpaV1) return true;
    return asArray(get(hpa.props, "spec.metrics")).some((m) => ["Resource", "ContainerResource"].includes(asString(asRecord(m)["type"]) ?? ""));
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
        // An add-on whose name is unknown (preview) is not counted; the HPAs it might serve stay judged.
        const addons = stack.ofType(EKS_ADDON).filter((a) => tryGet(a.props, "addonName") === "metrics-server");
        stack.each(stack.ofType(...HPA_TYPES), ctx, (hpa) => {
            if (!readsResourceMetrics(hpa)) return;
            const cluster = clusterOfProvider(stack, hpa.provider);
            if (cluster?.type !== CLUSTER_TYPES.aws) return; // GKE and other platforms serve resource metrics themselves.
            const sameCluster = (s: Subject) => s.provider === hpa.provider;
            const served =
                stack.ofType(API_SERVICE).some((a) => sameCluster(a) && objectName(a) === METRICS_API) ||
                stack.ofType(K8S.deployment).some((d) => sameCluster(d) && containers(d.props).some((c) => /metrics-server/.test(asString(c["image"]) ?? ""))) ||
                addons.some((a) => get(a.props, "clusterName") === get(cluster.props, "name") || (a.propertyDependencies["clusterName"] ?? []).includes(cluster.urn));
            if (served) return;
            ctx.report(
                `HorizontalPodAutoscaler "${hpa.name}" scales on resource metrics in EKS cluster "${cluster.name}", which serves none without a metrics server, so it never scales; install metrics-server there (the metrics-server EKS add-on, or its Deployment and the ${METRICS_API} APIService).`,
                hpa.urn,
            );
        });
    },
});
