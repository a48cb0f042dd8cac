import { resourceRule } from "../../../lib/rule";
import { asString, get, has } from "../../../lib/values";

export const CLASSIC_ELB = "aws:elb/loadBalancer:LoadBalancer";

export const awsElbLoadBalancerMissingHealthCheck = resourceRule({
    name: "aws-elb-load-balancer-missing-health-check",
    description: "A classic load balancer must declare a health check on the service's own endpoint, so that it stops sending traffic to an instance whose service has failed.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "elb",
    resource: "load-balancer",
    fix: "Set `healthCheck` with `target` `HTTP:<port>/<health path>` (or `HTTPS:`), an `interval`, a `timeout` and thresholds; a `TCP:` target only proves the port is open.",
    types: [CLASSIC_ELB],
    check(r, ctx) {
        if (!has(r.props, "healthCheck")) {
            ctx.report(
                `Classic load balancer "${r.name}" declares no healthCheck, so it judges instances by a default probe that does not test the service and keeps routing to an instance whose service has failed; set healthCheck with target "HTTP:<port>/<health path>".`,
            );
            return;
        }
        const target = asString(get(r.props, "healthCheck.target")) ?? "";
        if (/^(TCP|SSL):/i.test(target)) {
            ctx.advise(
                `Classic load balancer "${r.name}" health-checks "${target}", which only proves that the port accepts connections, so an instance whose service fails behind an open port keeps receiving traffic; set healthCheck.target to "HTTP:<port>/<health path>".`,
            );
        }
    },
});
