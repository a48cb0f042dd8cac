import { failoverRole, ROUTE53 } from "../../../lib/route53";
import { stackRule } from "../../../lib/rule";
import { indexBy, resolveRefs, stackOutput } from "../../../lib/stack";
import { asNumber, get, UNKNOWN } from "../../../lib/values";

/** Route53's defaults when the arguments are not set. */
const DEFAULT_INTERVAL = 30;
const DEFAULT_THRESHOLD = 3;

export const awsRoute53HealthCheckConfigureRto = stackRule({
    name: "aws-route53-health-check-configure-rto",
    description: "A health check behind DNS failover must detect a failure and let cached answers expire within the stack's RTO.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "route53",
    resource: "health-check",
    fix: "Lower `requestInterval` (10 or 30), `failureThreshold`, or the failover records' `ttl`, so that requestInterval x failureThreshold + ttl stays within the RTO; never leave a health check behind a failover record `disabled` (Route53 then reports it healthy).",
    requires: ROUTE53.healthCheck,
    check(stack, ctx) {
        const checks = stack.ofType(ROUTE53.healthCheck);
        if (checks.length === 0) return;
        const target = asNumber(stackOutput(stack, "rtoTargetSeconds"));
        const rto = target !== undefined ? Math.min(target, ctx.settings.maxRtoSeconds) : ctx.settings.maxRtoSeconds;
        const index = indexBy(checks, "id");
        const ttlByCheck = new Map<string, { ttl: number; record: string }>();
        stack.each(stack.ofType(ROUTE53.record), ctx, (r) => {
            if (failoverRole(r) === undefined) return;
            const refs = resolveRefs(stack, r, "healthCheckId", index, [ROUTE53.healthCheck]);
            if (refs === UNKNOWN) return;
            const ttl = asNumber(get(r.props, "ttl")) ?? 0;
            for (const hc of refs) {
                if ((ttlByCheck.get(hc.urn)?.ttl ?? -1) < ttl) ttlByCheck.set(hc.urn, { ttl, record: r.name });
            }
        });
        stack.each(checks, ctx, (hc) => {
            const dns = ttlByCheck.get(hc.urn);
            if (dns && get(hc.props, "disabled") === true) {
                ctx.report(
                    `Health check "${hc.name}" is disabled, and Route53 treats a disabled health check as healthy, so record "${dns.record}" never fails over; set disabled to false.`,
                    hc.urn,
                );
                return;
            }
            const interval = asNumber(get(hc.props, "requestInterval")) ?? DEFAULT_INTERVAL;
            const threshold = asNumber(get(hc.props, "failureThreshold")) ?? DEFAULT_THRESHOLD;
            const total = interval * threshold + (dns?.ttl ?? 0);
            if (total > rto) {
                const ttlPart = dns ? ` + ${dns.ttl} s ttl of record "${dns.record}"` : "";
                ctx.report(
                    `Health check "${hc.name}" needs ${interval} s x ${threshold}${ttlPart} = ${total} s to fail over, more than the ${rto} s RTO, so an outage outlasts the target; lower requestInterval, failureThreshold or the record ttl.`,
                    hc.urn,
                );
            }
        });
    },
});
