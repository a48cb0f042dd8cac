import { K8S, REPLICATED_WORKLOADS, podLabels, scopeKey, serviceSelects } from "../../../lib/kubernetes";
import { stackRule, type Subject } from "../../../lib/rule";
import { pushTo } from "../../../lib/stack";
import { asRecord, get, known, UNKNOWN } from "../../../lib/values";

export const kubernetesCoreServiceMissingWorkload = stackRule({
    name: "kubernetes-core-service-missing-workload",
    description: "A Service with a selector must select the pods of a Deployment or StatefulSet in its namespace and cluster, or it has no endpoints to send traffic to.",
    severity: "high",
    enforcementLevel: "advisory",
    provider: "kubernetes",
    service: "core",
    resource: "service",
    fix: "Make `spec.selector` match the pod template labels of the workload it fronts, in the same namespace and on the same Kubernetes provider.",
    requires: K8S.service,
    check(stack, ctx) {
        const workloads = new Map<string, Subject[]>();
        /** Workloads whose namespace is unknown in preview with no Namespace dependency: they may be in any Service's namespace. */
        const floating: Subject[] = [];
        for (const w of stack.ofType(...REPLICATED_WORKLOADS)) {
            const scope = known(() => scopeKey(w, stack));
            if (scope === UNKNOWN) floating.push(w);
            else pushTo(workloads, scope, w);
        }
        stack.each(stack.ofType(K8S.service), ctx, (svc) => {
            const selector = get(svc.props, "spec.selector");
            if (Object.keys(asRecord(selector)).length === 0) return; // No selector: endpoints are managed by hand.
            if ((workloads.get(scopeKey(svc, stack)) ?? []).some((w) => serviceSelects(selector, podLabels(w.props)))) return;
            const maybe = floating.some((w) => w.provider === svc.provider && known(() => serviceSelects(selector, podLabels(w.props))) !== false);
            if (maybe) return ctx.undecided(svc.urn, "a workload whose namespace is unknown in preview has pods it selects and may be in its namespace");
            ctx.report(
                `Service "${svc.name}" selects no Deployment or StatefulSet pods in its namespace, so it has no endpoints and its traffic goes nowhere; make spec.selector match the pod labels of the workload it fronts.`,
                svc.urn,
            );
        });
    },
});
