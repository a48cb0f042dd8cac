import { failoverRole, ROUTE53 } from "../../../lib/route53";
import { resourceRule } from "../../../lib/rule";
import { asArray, asRecord, get, has } from "../../../lib/values";

export const awsRoute53RecordMissingHealthCheck = resourceRule({
    name: "aws-route53-record-missing-health-check",
    description: "A failover PRIMARY record must have a health check, or Route53 never fails over to the SECONDARY.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "route53",
    resource: "record",
    fix: "Set `healthCheckId` on the PRIMARY record to an `aws.route53.HealthCheck` of the primary endpoint (or, for an alias record, `evaluateTargetHealth: true`).",
    types: [ROUTE53.record],
    check(r, ctx) {
        // An unknown healthCheckId (an output of a HealthCheck during preview) counts as set; an
        // alias that evaluates its target's health is health-checked by Route53 itself.
        const evaluatesTarget = () => asArray(get(r.props, "aliases")).some((a) => asRecord(a)["evaluateTargetHealth"] === true);
        if (failoverRole(r) === "PRIMARY" && !has(r.props, "healthCheckId") && !evaluatesTarget()) {
            ctx.report(`Failover PRIMARY record "${r.name}" has no health check, so Route53 keeps answering with the primary when it is down; set healthCheckId to a health check of the primary endpoint (or evaluateTargetHealth on its alias).`);
        }
    },
});
