import { eq, num, sel, type Scope } from "./promql";
import type { AlertingRule, RuleGroup } from "./rule";
import { BURN_ALERTS } from "./slo";
import { JOBS, runbookLink, SNAPSHOT_CRONJOB, type AlertSpec, type ObservabilitySpec, type SideRole } from "./spec";

/**
 * The alerts beyond the SLOs: causes that threaten the availability or the recovery point
 * before the error budget shows it. Metric names are those the service (app/src/metrics),
 * Qdrant (/metrics on 6333) and kube-state-metrics export.
 */
export function causeAlerts(spec: ObservabilitySpec): AlertSpec[] {
    const { rpoSeconds, qdrantPeers, degradedAnswersMaxRatio, llmErrorMaxRatio } = spec.limits;
    return [
        {
            name: "ReplicationLagHigh",
            severity: "page",
            onlyOn: "standby",
            for: "2m",
            // The freshest instance that knows its lag (-1: unknown) is the side's lag: followers
            // waiting for the lease and serving pods do not apply, the lease holder does.
            expr: (s) => `min(${sel("replication_lag_seconds", s)} >= 0) > ${num(rpoSeconds / 2)}`,
            summary: `The standby applies the change journal more than ${num(rpoSeconds / 2)} s (half the RPO) behind the active side`,
            why: "A failover now would lose more than half the RPO's worth of acknowledged writes; the other half is the margin left to act.",
            action: "Check the follower's logs and `replication_last_applied_timestamp_seconds` on the standby, the journal bucket's reachability across clouds, and `JournalWriteFailures`; `npm run dr -- status` shows the data window a failover would lose.",
        },
        {
            name: "JournalWriteFailures",
            severity: "page",
            for: "5m",
            expr: (s) => `sum(rate(${sel("journal_writes_total", s, eq("outcome", "error"))}[5m]))\n/\nsum(rate(${sel("journal_writes_total", s)}[5m])) > 0.01`,
            summary: "More than 1 % of the active side's journal writes fail",
            why: "A write the journal does not hold is not replicated: the standby falls behind and writes fail for users.",
            action: "Check the active side's access to its journal bucket (IAM role, bucket policy, object-storage errors in the service logs); writes resume replicating once the journal accepts them.",
        },
        {
            name: "SnapshotTooOld",
            severity: "page",
            for: "5m",
            expr: (s) => `time() - max(${sel("kube_cronjob_status_last_successful_time", s, eq("cronjob", SNAPSHOT_CRONJOB))}) > ${num(rpoSeconds)}`,
            summary: `The newest successful Qdrant snapshot set is older than the RPO (${num(rpoSeconds)} s)`,
            why: "Restore starts from the newest snapshot set; a set older than the RPO makes a restore lose more than the RPO if the journal cannot fill the gap.",
            action: `Look at the \`${SNAPSHOT_CRONJOB}\` CronJob's last Jobs (\`kubectl -n langchain-ha get jobs\`) and their logs; run \`npm run dr -- backup\` to take a set now.`,
        },
        {
            name: "QdrantPeersNotReady",
            severity: "page",
            for: "10m",
            expr: (s) => `(count(${sel("up", s, eq("job", JOBS.qdrant))} == 1) or vector(0)) < ${qdrantPeers}`,
            summary: `Fewer than ${qdrantPeers} Qdrant peers answer their metrics scrape`,
            why: "Each peer down takes a replica of its shards with it: shards run below the replication factor, one more loss loses data or quorum.",
            action: "`kubectl -n langchain-ha get pods -l app.kubernetes.io/name=qdrant`; a peer stuck Pending usually lacks a node or a volume in its zone; check `/cluster` on a live peer for dead shard replicas.",
        },
        {
            name: "CircuitBreakerOpen",
            severity: "ticket",
            for: "5m",
            expr: (s) => `max by (dependency) (${sel("circuit_breaker_state", s)}) >= 2`,
            summary: "A circuit breaker of the service stays open",
            why: "The service answers without that dependency (degraded answers or fallbacks); the next failure has no fallback left.",
            action: "Find the dependency in the alert's `dependency` label and check its health and credentials; the breaker closes by itself once calls succeed.",
        },
        {
            name: "DegradedAnswersHigh",
            severity: "ticket",
            for: "10m",
            expr: (s) => `sum(rate(${sel("degraded_answers_total", s)}[10m]))\n/\nsum(rate(${sel("answers_total", s)}[10m])) > ${num(degradedAnswersMaxRatio)}`,
            summary: `More than ${num(degradedAnswersMaxRatio * 100)} % of answers are degraded`,
            why: "Users get answers without retrieval or without an LLM: the service is up but worse than promised.",
            action: "The dashboard's \"Degraded answers by component\" panel names the missing component; follow that component's alert (breaker, LLM provider, Qdrant).",
        },
        {
            name: "LlmProviderErrorsHigh",
            severity: "ticket",
            for: "10m",
            expr: (s) => `sum by (provider) (rate(${sel("llm_calls_total", s, eq("outcome", "error"))}[10m]))\n/\nsum by (provider) (rate(${sel("llm_calls_total", s)}[10m])) > ${num(llmErrorMaxRatio)}`,
            summary: `More than ${num(llmErrorMaxRatio * 100)} % of calls to one LLM provider fail`,
            why: "The fallback provider carries the load alone; if it fails too, answers degrade to extractive ones.",
            action: "Check the provider's status page and the API key's quota; the service already falls back, so no failover is needed for this alone.",
        },
        {
            name: "StandbyNotFitForFailover",
            severity: "page",
            // The active side exports 0 too: it is not a standby.
            onlyOn: "standby",
            for: "5m",
            // Unfit when no instance on the side says it is fit (only the lease holder applies).
            expr: (s) => `max(${sel("replication_fit_for_failover", s)}) == 0`,
            summary: "The standby reports that it is not fit to take over",
            why: "A failover now would promote a standby that misses data or cannot serve: the DR path is broken while the primary still works.",
            action: "`npm run dr -- status` says why (lag, epoch, gap in the journal); fix replication before anything else, and do not fail over unless the primary is lost.",
        },
        {
            name: "ScrapeTargetDown",
            severity: "ticket",
            for: "10m",
            expr: (s) => `${sel("up", s, `job=~"${Object.values(JOBS).join("|")}"`)} == 0`,
            summary: "A metrics endpoint of the stack does not answer its scrape",
            why: "Every other alert reads these series: a target that is not scraped cannot alert.",
            action: "Check the pod named in the alert, the PodMonitoring (GKE) or the managed scraper's status (`aws amp describe-scraper`, EKS) and the metrics port.",
        },
    ];
}

export function toAlertingRule(spec: ObservabilitySpec, alert: AlertSpec, scope: Scope): AlertingRule {
    return {
        alert: alert.name,
        expr: alert.expr(scope),
        for: alert.for,
        labels: { severity: alert.severity },
        annotations: { summary: alert.summary, runbook_url: runbookLink(spec, alert.name) },
    };
}

/** The cause alerts for a side in `role` (every alert when the role is not given). */
export function causeRuleGroup(spec: ObservabilitySpec, scope: Scope, role?: SideRole): RuleGroup {
    const alerts = causeAlerts(spec).filter((a) => role === undefined || a.onlyOn === undefined || a.onlyOn === role);
    return { name: "causes", interval: spec.evaluationInterval, rules: alerts.map((a) => toAlertingRule(spec, a, scope)) };
}

/** Every alert name with its severity and README text, SLO burns first. */
export function alertCatalogue(spec: ObservabilitySpec): { name: string; severity: string; summary: string; why: string; action: string }[] {
    return [
        {
            name: BURN_ALERTS.page.name,
            severity: "page",
            summary: "An SLO burns its error budget fast: 2 % of it within 1 h, or 5 % within 6 h",
            why: "At that rate the month's budget is gone within days; users already see errors or slow answers.",
            action: "The `slo` label names the SLO. Look at the dashboard's golden signals: errors on one side only, fail over (`npm run dr -- failover`) if the active side cannot be fixed within the RTO; errors on both, look at the dependencies' alerts.",
        },
        {
            name: BURN_ALERTS.ticket.name,
            severity: "ticket",
            summary: "An SLO burns its error budget steadily: 10 % of it within 1 d or 3 d",
            why: "A slow leak that spends the budget before the window ends if nothing changes.",
            action: "Find the routes and status codes behind it on the dashboard; plan the fix within working hours.",
        },
        ...causeAlerts(spec).map(({ name, severity, summary, why, action, onlyOn }) => ({
            name,
            severity: onlyOn === undefined ? severity : `${severity} (${onlyOn} side only)`,
            summary,
            why,
            action,
        })),
    ];
}
