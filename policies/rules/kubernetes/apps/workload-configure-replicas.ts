import { leaderElectedController } from "../../../lib/controllers";
import { stackRule } from "../../../lib/rule";
import { minPodsFor, workloads } from "../../../lib/workloads";

export const kubernetesAppsWorkloadConfigureReplicas = stackRule({
    name: "kubernetes-apps-workload-configure-replicas",
    description: "A Deployment or StatefulSet must run at least two replicas (three for Qdrant), by spec.replicas or by an HPA's minReplicas.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "apps",
    resource: "workload",
    fix: "Set `spec.replicas` to at least `minReplicas` (`minQdrantReplicas` for Qdrant), or target the workload with a HorizontalPodAutoscaler whose `minReplicas` is at least that. A pilot-light standby (replicas 0 with `langchain-ha.io/standby: pilot-light`) is exempt, and so is a leader-elected controller that no Service sends requests to (see `kubernetes-apps-controller-configure-replicas`).",
    check(stack, ctx) {
        for (const w of workloads(stack, ctx)) {
            if (w.standby && w.replicas === 0 && w.hpaMin === undefined) continue; // Not serving; see the standby rule.
            const min = minPodsFor(w, ctx);
            if (w.minPods >= min) continue;
            if (w.minPods >= 1 && leaderElectedController(stack, ctx, w) !== undefined) continue; // Not serving; see the controller rule.
            const what = w.qdrant ? `Qdrant ${w.kind}` : w.kind;
            const how = w.hpaMin !== undefined ? `its HorizontalPodAutoscaler allows ${w.hpaMin}` : `it runs ${w.replicas}`;
            ctx.report(
                `${what} "${w.subject.name}" can run fewer than ${min} replicas (${how}), so one pod or node failure ${w.qdrant ? "loses quorum or data copies" : "stops it"}; set spec.replicas to at least ${min} or target it with a HorizontalPodAutoscaler whose minReplicas is at least ${min}.`,
                w.subject.urn,
            );
        }
    },
});
