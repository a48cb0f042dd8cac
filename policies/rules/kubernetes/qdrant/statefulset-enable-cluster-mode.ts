import { isQdrant, kindOf, REPLICATED_WORKLOADS } from "../../../lib/kubernetes";
import { qdrantSetting } from "../../../lib/qdrant";
import { resourceRule } from "../../../lib/rule";

export const CLUSTER_ENV = "QDRANT__CLUSTER__ENABLED";

export const kubernetesQdrantStatefulsetEnableClusterMode = resourceRule({
    name: "kubernetes-qdrant-statefulset-enable-cluster-mode",
    description: "Qdrant must run in cluster mode, or each replica is an independent database and the collections live on one pod.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "qdrant",
    resource: "statefulset",
    fix: "Set the container env `QDRANT__CLUSTER__ENABLED: \"true\"` (with the peer-to-peer port exposed).",
    types: REPLICATED_WORKLOADS,
    check(r, ctx) {
        if (!isQdrant(r.props)) return;
        const setting = qdrantSetting(r.props, CLUSTER_ENV);
        if (setting.kind === "elsewhere") {
            ctx.undecided(r.urn, `whether it runs in cluster mode is not in its pod spec: ${setting.why}`);
            return;
        }
        if (setting.kind === "unset" || setting.value.toLowerCase() !== "true") {
            ctx.report(`Qdrant ${kindOf(r.type)} "${r.name}" does not run in cluster mode, so its replicas do not share collections and the pod holding them is a single point of failure; set env ${CLUSTER_ENV}="true".`);
        }
    },
});
