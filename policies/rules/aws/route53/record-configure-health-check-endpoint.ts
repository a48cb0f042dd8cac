import { describeReach, dnsName, EndpointResolver, overlaps } from "../../../lib/endpoints";
import { failoverRole, ROUTE53 } from "../../../lib/route53";
import { stackRule } from "../../../lib/rule";
import { indexBy, resolveRefsDetailed } from "../../../lib/stack";
import { asArray, asRecord, asString, get, tryGet } from "../../../lib/values";

export const awsRoute53RecordConfigureHealthCheckEndpoint = stackRule({
    name: "aws-route53-record-configure-health-check-endpoint",
    description: "The health check of a failover PRIMARY record must watch the endpoint the record sends traffic to, or Route53 fails over on another endpoint's health.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "route53",
    resource: "record",
    fix: "Set the health check's `fqdn` (or `ipAddress`) to the endpoint the PRIMARY's `records` or alias target lead to (the load balancer's address, directly or through a record of the stack), not the failover name or the other side's endpoint; or use an alias with `evaluateTargetHealth: true`, which Route53 judges on the target itself. Names compare without case and trailing dot. When either side is unknown in preview or served outside the stack, the rule says it cannot decide.",
    requires: ROUTE53.healthCheck,
    check(stack, ctx) {
        const checks = stack.ofType(ROUTE53.healthCheck);
        const index = indexBy(checks, "id");
        const resolver = new EndpointResolver(stack);
        stack.each(stack.ofType(ROUTE53.record), ctx, (record) => {
            if (failoverRole(record) !== "PRIMARY") return;
            // An alias that evaluates its target's health fails over on the target itself.
            if (asArray(get(record.props, "aliases")).some((a) => asRecord(a)["evaluateTargetHealth"] === true)) return;
            if (tryGet(record.props, "healthCheckId") === undefined) return; // No check at all is another rule's finding.
            const refs = resolveRefsDetailed(stack, record, "healthCheckId", index, [ROUTE53.healthCheck]);
            if (refs.unknown + refs.external > 0) {
                ctx.undecided(record.urn, refs.unknown > 0 ? "its healthCheckId is unknown and no property dependency names the check" : "its health check is outside the stack");
                return;
            }
            const target = resolver.ofRecord(record);
            const self = dnsName(asString(get(record.props, "name")) ?? "");
            for (const hc of refs.found) {
                const watched = resolver.ofHealthCheck(hc);
                if (watched.tokens.has(self)) {
                    ctx.report(
                        `Failover PRIMARY record "${record.name}" is judged by health check "${hc.name}", which probes the failover name ${self} itself, so it checks whichever side DNS answers with, not the primary; set the check's fqdn or ipAddress to the primary's endpoint (${describeReach(target)}).`,
                        record.urn,
                    );
                    continue;
                }
                if (overlaps(target, watched)) continue;
                const open = [...target.open, ...watched.open];
                if (open.length > 0) {
                    ctx.undecided(record.urn, `whether health check "${hc.name}" watches the record's endpoint cannot be told: ${open.join("; ")}`);
                    continue;
                }
                ctx.report(
                    `Failover PRIMARY record "${record.name}" sends traffic to ${describeReach(target)} but its health check "${hc.name}" watches ${describeReach(watched)}, so Route53 fails over on another endpoint's health and keeps a failed primary; set the check's fqdn or ipAddress to the primary's endpoint.`,
                    record.urn,
                );
            }
        });
    },
});
