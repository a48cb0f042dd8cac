import { annotation, K8S } from "../../../lib/kubernetes";
import { ROUTE53 } from "../../../lib/route53";
import { stackRule, type Subject } from "../../../lib/rule";
import { asArray, asRecord, asString, get, tryGet } from "../../../lib/values";
import { LB_TYPES } from "../../aws/lb/load-balancer-configure-az-spread";

const INTERNAL_ANNOTATIONS: [string, string][] = [
    ["service.beta.kubernetes.io/aws-load-balancer-internal", "true"],
    ["service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"],
    ["networking.gke.io/load-balancer-type", "Internal"],
    ["cloud.google.com/load-balancer-type", "Internal"],
];

function isPublic(r: Subject): boolean {
    if (r.type === K8S.service) {
        return get(r.props, "spec.type") === "LoadBalancer" && !INTERNAL_ANNOTATIONS.some(([k, v]) => annotation(r.props, k)?.toLowerCase() === v.toLowerCase());
    }
    return get(r.props, "internal") !== true;
}

/** Hostnames and addresses where the endpoint answers. */
function addresses(r: Subject): string[] {
    const ingress = asArray(tryGet(r.props, "status.loadBalancer.ingress")).map(asRecord);
    const out = ingress.flatMap((i) => [asString(i["hostname"]), asString(i["ip"])]);
    out.push(asString(tryGet(r.props, "dnsName")));
    return out.filter((a): a is string => a !== undefined && a !== "");
}

export const stackEndpointLoadBalancerMissingHealthCheck = stackRule({
    name: "stack-endpoint-load-balancer-missing-health-check",
    description: "Every public load balancer must be watched by a Route53 health check, so that DNS failover notices when it stops answering.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "stack",
    service: "endpoint",
    resource: "load-balancer",
    fix: "Declare an `aws.route53.HealthCheck` whose `fqdn` (or `ipAddress`) is the load balancer's address, and use it on the failover record.",
    check(stack, ctx) {
        const checks = stack.ofType(ROUTE53.healthCheck);
        const watched = new Set<string>();
        const deps = new Set<string>();
        for (const hc of checks) {
            for (const key of ["fqdn", "ipAddress"]) {
                const v = tryGet(hc.props, key);
                if (typeof v === "string") watched.add(v);
                (hc.propertyDependencies[key] ?? []).forEach((u) => deps.add(u));
            }
            hc.dependencies.forEach((u) => deps.add(u));
        }
        stack.each(stack.ofType(K8S.service, ...LB_TYPES), ctx, (lb) => {
            if (!isPublic(lb)) return;
            if (deps.has(lb.urn) || addresses(lb).some((a) => watched.has(a))) return;
            const what = lb.type === K8S.service ? "LoadBalancer Service" : "Load balancer";
            ctx.report(
                `Public ${what} "${lb.name}" is not watched by any Route53 health check, so DNS keeps sending users to it when it fails; declare an aws.route53.HealthCheck with fqdn set to its address and attach it to the failover record.`,
                lb.urn,
            );
        });
    },
});
