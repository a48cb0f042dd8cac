import { failoverRole, ROUTE53 } from "../../../lib/route53";
import { stackRule } from "../../../lib/rule";
import { indexBy, resolveRefs, stackOutput } from "../../../lib/stack";
import { asNumber, get, UNKNOWN } from "../../../lib/values";
import { DEFAULT_THRESHOLDS } from "../../../lib/settings";

/** Route53's defaults when the arguments are not set. */
const DEFAULT_INTERVAL = 30;
const DEFAULT_THRESHOLD = 3;

/** The RTO judged against when the stack states no target and the policy config sets no maxRtoSeconds. */
export const FALLBACK_RTO_SECONDS = DEFAULT_THRESHOLDS.maxRtoSeconds;

/** The stack keys (infra/config) behind each term of the failover time. */
const DNS_KEYS = "langchain-ha:dns.healthCheck.intervalSeconds, dns.healthCheck.failureThreshold, dns.ttlSeconds";

interface RtoLimit {
    seconds: number;
    /** Names the limit in the message. */
    what: string;
    /** What to raise instead of making failover faster. */
    raise: string;
}

/**
 * The stack's own target (the output `rtoTargetSeconds`, which the program derives from
 * `dr.rtoMinutes`) where it states one; `maxRtoSeconds` from the policy config is a ceiling
 * on it when set, and the limit when the stack states none.
 */
function rtoLimit(target: number | undefined, configured: number | undefined): RtoLimit {
    if (configured !== undefined && (target === undefined || configured < target)) {
        const than = target === undefined ? "" : `, stricter than the stack's ${target} s target`;
        return { seconds: configured, what: `the ${configured} s maxRtoSeconds of the policy config${than}`, raise: "maxRtoSeconds in the policy config" };
    }
    if (target !== undefined) {
        return { seconds: target, what: `the stack's ${target} s RTO target (output rtoTargetSeconds)`, raise: "langchain-ha:dr.rtoMinutes" };
    }
    return {
        seconds: FALLBACK_RTO_SECONDS,
        what: `the ${FALLBACK_RTO_SECONDS} s RTO assumed for a stack that states no target (output rtoTargetSeconds)`,
        raise: "maxRtoSeconds in the policy config (or state the target as the stack output rtoTargetSeconds)",
    };
}

export const awsRoute53HealthCheckConfigureRto = stackRule({
    name: "aws-route53-health-check-configure-rto",
    description: "A health check behind DNS failover must detect a failure and let cached answers expire within the stack's RTO.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "route53",
    resource: "health-check",
    fix: "Lower `requestInterval` (10 or 30), `failureThreshold`, or the failover records' `ttl` (in this project's stack files `dns.healthCheck.intervalSeconds`, `dns.healthCheck.failureThreshold`, `dns.ttlSeconds`, and `dr.scaleUpMinutes` in pilot light), so that requestInterval x failureThreshold + ttl (+ the standby's scale-up) stays within the RTO, or raise the target (`dr.rtoMinutes`). The RTO is the stack's own target, the stack output `rtoTargetSeconds`, where it states one; `maxRtoSeconds` in the policy config caps it, and is the limit for a stack that states none (300 s when unset). Never leave a health check behind a failover record `disabled` (Route53 then reports it healthy).",
    requires: ROUTE53.healthCheck,
    check(stack, ctx) {
        const checks = stack.ofType(ROUTE53.healthCheck);
        if (checks.length === 0) return;
        const limit = rtoLimit(asNumber(stackOutput(stack, "rtoTargetSeconds")), ctx.settings.maxRtoSeconds);
        // A pilot-light standby has to scale up before it serves (the stack output rtoScaleUpSeconds, from dr.scaleUpMinutes).
        const scaleUp = asNumber(stackOutput(stack, "rtoScaleUpSeconds")) ?? 0;
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
            const total = interval * threshold + (dns?.ttl ?? 0) + scaleUp;
            if (total > limit.seconds) {
                const ttlPart = dns ? ` + ${dns.ttl} s ttl of record "${dns.record}"` : "";
                const scaleUpPart = scaleUp > 0 ? ` + ${scaleUp} s scale-up` : "";
                const keys = `${DNS_KEYS}${scaleUp > 0 ? ", dr.scaleUpMinutes" : ""}`;
                ctx.report(
                    `Health check "${hc.name}" needs ${interval} s x ${threshold}${ttlPart}${scaleUpPart} = ${total} s to fail over, more than ${limit.what}, so an outage outlasts the target;` +
                        ` lower requestInterval, failureThreshold or the record ttl${scaleUp > 0 ? " or the scale-up" : ""} (stack keys ${keys}) or raise ${limit.raise}.`,
                    hc.urn,
                );
            }
        });
    },
});
