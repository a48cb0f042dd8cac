import { annotation, isStandby, K8S, podLabels, REPLICATED_WORKLOADS, replicasOf, sameScope, serviceSelects } from "../../../lib/kubernetes";
import { stackRule, type Subject } from "../../../lib/rule";
import { get } from "../../../lib/values";

export const kubernetesCoreServiceConfigureStandbyAwait = stackRule({
    name: "kubernetes-core-service-configure-standby-await",
    description: "A LoadBalancer Service in front of a pilot-light standby (no pods on purpose) must tell Pulumi what to wait for, or its await wants ready endpoints and `pulumi up` fails after 10 minutes.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "core",
    resource: "service",
    fix: "Annotate the Service with `pulumi.com/waitFor: jsonpath={.status.loadBalancer.ingress}` so the deploy waits for the load balancer's address, not for endpoints.",
    requires: K8S.service,
    check(stack, ctx) {
        stack.each(stack.ofType(K8S.service), ctx, (svc) => {
            if (get(svc.props, "spec.type") !== "LoadBalancer") return;
            if (annotation(svc.props, "pulumi.com/waitFor") !== undefined || annotation(svc.props, "pulumi.com/skipAwait") === "true") return;
            const selector = get(svc.props, "spec.selector");
            const selected: Subject[] = [];
            for (const w of sameScope(stack, REPLICATED_WORKLOADS, svc)) if (serviceSelects(selector, podLabels(w.props))) selected.push(w);
            if (selected.length === 0 || !selected.every((w) => isStandby(w.props) && replicasOf(w.props) === 0)) return;
            ctx.report(
                `Service "${svc.name}" fronts a pilot-light standby with no pods, so Pulumi's Service await never sees a ready endpoint and the deploy fails after 10 minutes; annotate it pulumi.com/waitFor: jsonpath={.status.loadBalancer.ingress}.`,
                svc.urn,
            );
        });
    },
});
