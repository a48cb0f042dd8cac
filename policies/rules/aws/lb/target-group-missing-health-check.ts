import { resourceRule } from "../../../lib/rule";
import { get } from "../../../lib/values";

export const awsLbTargetGroupMissingHealthCheck = resourceRule({
    name: "aws-lb-target-group-missing-health-check",
    description: "A target group must health-check its targets, so that the load balancer stops sending traffic to a dead one.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "lb",
    resource: "target-group",
    fix: "Leave `healthCheck.enabled` at its default (true) and set `healthCheck.path` to the service's readiness endpoint.",
    types: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
    check(r, ctx) {
        if (get(r.props, "healthCheck.enabled") === false) {
            ctx.report(`Target group "${r.name}" has its health check disabled, so traffic keeps going to a failed target; set healthCheck.enabled: true with a healthCheck.path.`);
        }
    },
});
