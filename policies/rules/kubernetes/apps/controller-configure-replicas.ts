import { leaderElectedController } from "../../../lib/controllers";
import { stackRule } from "../../../lib/rule";
import { workloads } from "../../../lib/workloads";

export const kubernetesAppsControllerConfigureReplicas = stackRule({
    name: "kubernetes-apps-controller-configure-replicas",
    description: "A leader-elected controller that serves no requests should run a standby replica, so that another pod takes the lease within seconds instead of waiting for a replacement pod.",
    severity: "low",
    enforcementLevel: "advisory",
    provider: "kubernetes",
    service: "apps",
    resource: "controller",
    fix: "Set `spec.replicas` to at least `minReplicas` (the standbys wait for the lease), or accept a failover as slow as rescheduling the pod; the workload is a controller only while no Service selects it on a serving port.",
    check(stack, ctx) {
        const min = ctx.settings.minReplicas;
        for (const w of workloads(stack, ctx)) {
            if (w.minPods >= min || w.minPods < 1 || (w.standby && w.replicas === 0)) continue;
            stack.each([w.subject], ctx, () => {
                const evidence = leaderElectedController(stack, ctx, w);
                if (evidence === undefined) return;
                ctx.report(
                    `Controller ${w.kind} "${w.subject.name}" runs ${w.minPods} replica and elects a leader (${evidence}) while no Service sends it requests, so it is not a serving single point of failure, but when its pod or node fails nothing runs it until a replacement pod starts; set spec.replicas to ${min} for a standby that takes the lease.`,
                    w.subject.urn,
                );
            });
        }
    },
});
