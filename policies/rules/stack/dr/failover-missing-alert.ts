import { parse } from "yaml";
import { OBSERVABILITY } from "../../../lib/observability";
import { failoverRole, ROUTE53 } from "../../../lib/route53";
import { stackRule, type StackView, type Subject } from "../../../lib/rule";
import { indexBy, resolveRefsDetailed } from "../../../lib/stack";
import { asArray, asRecord, asString, get, known, knownElements, tryGet, UNKNOWN } from "../../../lib/values";

/** Series the standby's replication exports; an alert on either watches the failover target. */
export const STANDBY_SERIES = ["replication_fit_for_failover", "replication_lag_seconds"] as const;

/** The `expr` of every alerting rule in a rule file's `groups` (parsed or as YAML text). */
function alertExprs(groups: unknown): (string | typeof UNKNOWN)[] {
    return asArray(groups)
        .flatMap((g) => asArray(asRecord(g)["rules"]).map(asRecord))
        .filter((rule) => typeof rule["alert"] === "string")
        .map((rule) => {
            const expr = known(() => rule["expr"]);
            return expr === UNKNOWN ? UNKNOWN : asString(expr) ?? "";
        });
}

function parsedGroups(text: unknown): unknown {
    try {
        return typeof text === "string" ? get(parse(text), "groups") : undefined;
    } catch {
        return undefined;
    }
}

/** Every alerting expression the stack declares; UNKNOWN stands for one unknown in preview. */
function alertExpressions(stack: StackView): (string | typeof UNKNOWN)[] {
    const out: (string | typeof UNKNOWN)[] = [];
    const add = (value: unknown, read: (v: unknown) => (string | typeof UNKNOWN)[]) => (value === UNKNOWN ? out.push(UNKNOWN) : out.push(...read(value)));
    // The same rule file is often deployed to several workspaces (one per region or cluster): each text is parsed once.
    const byText = new Map<unknown, (string | typeof UNKNOWN)[]>();
    const parseOnce = (v: unknown) => {
        const exprs = alertExprs(parsedGroups(v));
        byText.set(v, exprs);
        return exprs;
    };
    const fromText = (v: unknown) => byText.get(v) ?? parseOnce(v);
    for (const r of stack.ofType(OBSERVABILITY.ampRuleGroupNamespace)) add(tryGet(r.props, "data"), fromText);
    for (const r of stack.ofType(OBSERVABILITY.gmpRules, OBSERVABILITY.gmpClusterRules, OBSERVABILITY.gmpGlobalRules, OBSERVABILITY.prometheusRule)) {
        add(tryGet(r.props, "spec.groups"), alertExprs);
    }
    for (const r of stack.ofType(OBSERVABILITY.gcpAlertPolicy)) {
        // A query unknown in preview counts as one that may watch the standby.
        for (const c of knownElements(asArray(tryGet(r.props, "conditions")))) {
            add(c === UNKNOWN ? UNKNOWN : tryGet(c, "conditionPrometheusQueryLanguage.query"), (v) => [asString(v) ?? ""]);
        }
        if (tryGet(r.props, "conditions") === UNKNOWN) out.push(UNKNOWN);
    }
    return out;
}

/** Whether a known expression watches the standby (an unknown one is undecided, not a pass). */
function watchesStandby(exprs: (string | typeof UNKNOWN)[]): boolean {
    return exprs.some((e) => e !== UNKNOWN && STANDBY_SERIES.some((s) => e.includes(s)));
}

export const stackDrFailoverMissingAlert = stackRule({
    name: "stack-dr-failover-missing-alert",
    description: "A stack with a DNS failover path must alert on it: an alarm with an action on each failover record's health check, and an alert on the standby's replication.",
    severity: "high",
    enforcementLevel: "advisory",
    provider: "stack",
    service: "dr",
    resource: "failover",
    fix: "Declare an `aws.cloudwatch.MetricAlarm` on each failover health check's `HealthCheckStatus` with `alarmActions`, and an alert rule on `replication_fit_for_failover` (AMP rule group, GMP Rules or a Cloud Monitoring alert policy).",
    requires: ROUTE53.record,
    check(stack, ctx) {
        const records: Subject[] = [];
        stack.each(stack.ofType(ROUTE53.record), ctx, (r) => {
            if (failoverRole(r) !== undefined) records.push(r);
        });
        if (records.length === 0) return;

        const checks = stack.ofType(ROUTE53.healthCheck);
        const checkIndex = indexBy(checks, "id");
        // Checks an alarm with an action watches: for sure, or perhaps (a value unknown in preview).
        const alarmed = new Set<string>();
        const perhaps = new Set<string>();
        const alarmedIds = new Set<string>();
        // An alarm with an action whose HealthCheckId is unknown with no dependency may watch any check.
        let perhapsAny: string | undefined;
        stack.each(stack.ofType(OBSERVABILITY.cloudwatchAlarm), ctx, (alarm) => {
            const actions = tryGet(alarm.props, "alarmActions");
            if (actions !== UNKNOWN && asArray(actions).length === 0) return;
            const into = actions === UNKNOWN ? perhaps : alarmed;
            for (const urn of alarm.propertyDependencies["dimensions"] ?? []) into.add(urn);
            const id = tryGet(alarm.props, "dimensions.HealthCheckId");
            const byId = typeof id === "string" ? checkIndex.get(id) : undefined;
            if (byId) into.add(byId.urn);
            else if (typeof id === "string" && into === alarmed) alarmedIds.add(id);
            else if (id === UNKNOWN && (alarm.propertyDependencies["dimensions"] ?? []).length === 0) perhapsAny = alarm.name;
        });
        stack.each(records, ctx, (record) => {
            const refs = resolveRefsDetailed(stack, record, "healthCheckId", checkIndex, [ROUTE53.healthCheck]);
            if (refs.found.some((c) => alarmed.has(c.urn))) return;
            if (refs.unknown > 0) {
                ctx.undecided(record.urn, "its healthCheckId is unknown and no property dependency names the check");
                return;
            }
            if (refs.found.length === 0 && refs.external === 0) return; // A record without a check is another rule's finding.
            const id = tryGet(record.props, "healthCheckId");
            if (refs.external > 0) {
                // A check made in another stack (a StackReference output): an alarm here may name its id.
                if (typeof id === "string" && alarmedIds.has(id)) return;
                ctx.undecided(record.urn, "its health check is outside the stack, and so may be the alarm on it");
                return;
            }
            if (perhapsAny !== undefined || refs.found.some((c) => perhaps.has(c.urn))) {
                const unknown = perhapsAny !== undefined ? `the HealthCheckId of alarm "${perhapsAny}" is` : "the alarmActions of an alarm on it are";
                ctx.undecided(record.urn, `whether an alarm with an action watches its health check cannot be told: ${unknown} unknown in preview`);
                return;
            }
            ctx.report(
                `Failover ${failoverRole(record)} record "${record.name}" has a health check that no alarm with an action watches, so nobody learns when DNS fails over; declare an aws.cloudwatch.MetricAlarm on its HealthCheckStatus with alarmActions.`,
                record.urn,
            );
        });

        const secondary = records.find((r) => failoverRole(r) === "SECONDARY");
        if (secondary === undefined) return;
        const exprs = alertExpressions(stack);
        if (watchesStandby(exprs)) return;
        if (exprs.includes(UNKNOWN)) {
            ctx.undecided(secondary.urn, `an alert rule's expression is unknown, so whether one watches the standby (${STANDBY_SERIES.join(" or ")}) cannot be told`);
            return;
        }
        ctx.report(
            `Failover SECONDARY record "${secondary.name}" sends traffic to a standby that no alert rule watches (${STANDBY_SERIES.join(" or ")}), so a standby unfit to take over goes unnoticed until the failover; declare an alert on replication_fit_for_failover.`,
            secondary.urn,
        );
    },
});
