import { annotation, FAILOVER_REPLICAS_ANNOTATION, isQdrant, isStandby, kindOf, REPLICATED_WORKLOADS } from "../../../lib/kubernetes";
import { resourceRule } from "../../../lib/rule";
import { asNumber } from "../../../lib/values";
import { minPodsFor } from "../../../lib/workloads";

export const kubernetesAppsStandbyConfigureFailoverReplicas = resourceRule({
    name: "kubernetes-apps-standby-configure-failover-replicas",
    description: "A pilot-light standby workload must declare how many replicas it scales to on failover, and that number must meet the replica minimum.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "apps",
    resource: "standby",
    fix: "Annotate the standby with `langchain-ha.io/failover-replicas: \"<n>\"`, n at least `minReplicas` (`minQdrantReplicas` for Qdrant).",
    types: REPLICATED_WORKLOADS,
    check(r, ctx) {
        if (!isStandby(r.props)) return;
        const min = minPodsFor({ qdrant: isQdrant(r.props) }, ctx);
        const raw = annotation(r.props, FAILOVER_REPLICAS_ANNOTATION);
        const n = asNumber(raw);
        if (n === undefined) {
            ctx.report(`Standby ${kindOf(r.type)} "${r.name}" does not say how many replicas it scales to on failover, so the runbook could bring it up as a single point of failure; add the annotation ${FAILOVER_REPLICAS_ANNOTATION}: "${min}" (at least ${min}).`);
        } else if (n < min) {
            ctx.report(`Standby ${kindOf(r.type)} "${r.name}" fails over to ${n} replica${n === 1 ? "" : "s"}, so after failover one pod failure stops it; set the annotation ${FAILOVER_REPLICAS_ANNOTATION} to at least ${min}.`);
        }
    },
});
