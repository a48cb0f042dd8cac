import { followerEnv } from "../../../lib/replication";
import { stackRule } from "../../../lib/rule";
import { workloads } from "../../../lib/workloads";

export const kubernetesReplicationFollowerConfigureReplicas = stackRule({
    name: "kubernetes-replication-follower-configure-replicas",
    description: "A workload that applies the replication journal must run at least two replicas at all times, pilot light included, or one pod failure stops the standby from staying current.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "replication",
    resource: "follower",
    fix: "Set `spec.replicas` of the follower (the workload whose container names a journal without `REPLICATION_APPLY=false`) to at least `minReplicas`, independent of the serving Deployment's scale, and give it a `LEASE_NAME` so that only one replica applies.",
    check(stack, ctx) {
        const min = ctx.settings.minReplicas;
        for (const w of workloads(stack, ctx)) {
            stack.each([w.subject], ctx, () => {
                if (w.minPods >= min) return;
                const follower = followerEnv(w.subject.props);
                if (follower === undefined) return;
                if (!follower.certain) {
                    ctx.undecided(w.subject.urn, `it runs fewer than ${min} replicas and its env REPLICATION_APPLY, which says whether it applies the journal, is unknown`);
                    return;
                }
                const how = w.hpaMin !== undefined ? `its HorizontalPodAutoscaler allows ${w.hpaMin}` : `it runs ${w.replicas}`;
                ctx.report(
                    `Replication follower ${w.kind} "${w.subject.name}" can run fewer than ${min} replicas (${how}${w.standby ? "; pilot light does not exempt a follower" : ""}), so one pod or node failure stops the standby from applying the journal and it falls behind the RPO; set spec.replicas to at least ${min}.`,
                    w.subject.urn,
                );
            });
        }
    },
});
