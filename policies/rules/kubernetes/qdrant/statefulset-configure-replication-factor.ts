import { annotation, FAILOVER_REPLICAS_ANNOTATION, isQdrant, isStandby, kindOf, REPLICATED_WORKLOADS, replicasOf } from "../../../lib/kubernetes";
import { qdrantSetting } from "../../../lib/qdrant";
import { resourceRule } from "../../../lib/rule";
import { asNumber } from "../../../lib/values";

export const REPLICATION_ENV = "QDRANT__STORAGE__COLLECTION__REPLICATION_FACTOR";

export const kubernetesQdrantStatefulsetConfigureReplicationFactor = resourceRule({
    name: "kubernetes-qdrant-statefulset-configure-replication-factor",
    description: "Qdrant collections must default to a replication factor of at least two and no more than the replica count, so that every shard survives the loss of one pod.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "qdrant",
    resource: "statefulset",
    fix: "Set the container env `QDRANT__STORAGE__COLLECTION__REPLICATION_FACTOR` to at least 2 and at most `spec.replicas`.",
    types: REPLICATED_WORKLOADS,
    check(r, ctx) {
        if (!isQdrant(r.props)) return;
        const setting = qdrantSetting(r.props, REPLICATION_ENV);
        if (setting.kind === "elsewhere") {
            ctx.undecided(r.urn, `its default replication factor is not in its pod spec: ${setting.why}`);
            return;
        }
        const factor = setting.kind === "value" ? asNumber(setting.value) ?? 1 : 1; // Qdrant's default is 1.
        const replicas = isStandby(r.props) ? asNumber(annotation(r.props, FAILOVER_REPLICAS_ANNOTATION)) ?? replicasOf(r.props) : replicasOf(r.props);
        if (factor < 2) {
            ctx.report(`Qdrant ${kindOf(r.type)} "${r.name}" keeps ${factor === 1 ? "one copy" : `${factor} copies`} of each shard, so losing the pod that holds it loses the data; set env ${REPLICATION_ENV} to at least 2.`);
        } else if (factor > replicas) {
            ctx.report(`Qdrant ${kindOf(r.type)} "${r.name}" asks for replication factor ${factor} with only ${replicas} replicas, so shards cannot be placed as asked; set env ${REPLICATION_ENV} to at most ${replicas} or raise spec.replicas.`);
        }
    },
});
