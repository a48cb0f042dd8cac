import { PROBE_PATHS } from "../../app/src/contract";
import type { StackConfig } from "../config";
import type { Scope } from "./promql";

/** `page` wakes someone up; `ticket` is for the next working hours. */
export type Severity = "page" | "ticket";

/** What a side does now: serves and writes the journal, or follows it. */
export type SideRole = "active" | "standby";

/** What an SLO counts, over the service's own metrics. */
export type Sli =
    /** Requests on `routes` that ended in a 5xx, out of all requests on them. */
    | { kind: "availability"; routes: readonly string[] }
    /** Requests on `routes` slower than `thresholdSeconds` (a histogram bucket), out of all. */
    | { kind: "latency"; routes: readonly string[]; thresholdSeconds: number };

export interface SloSpec {
    /** The `slo` label of every series and alert generated for it. */
    name: string;
    description: string;
    /** Target share of good events, e.g. 0.9999. */
    objective: number;
    /** Days the objective is measured over. */
    windowDays: number;
    sli: Sli;
}

/** An alert that is not an SLO burn: a cause worth acting on before users notice. */
export interface AlertSpec {
    name: string;
    severity: Severity;
    /** How long the condition must hold, as a PromQL duration. */
    for: string;
    /** What the alert watches; `scope` matchers go into every selector (see promql.ts). */
    expr: (scope: Scope) => string;
    summary: string;
    /** Why it matters, for the README's alert table. */
    why: string;
    /** What the on-call does, for the README's alert table. */
    action: string;
    /** Only on a side in this role (the service exports the series on both with another meaning). */
    onlyOn?: SideRole;
}

/** Everything the observability of one stack is generated from. */
export interface ObservabilitySpec {
    environment: string;
    slos: SloSpec[];
    /** Limits the non-SLO alerts compare with. */
    limits: {
        rpoSeconds: number;
        qdrantPeers: number;
        degradedAnswersMaxRatio: number;
        llmErrorMaxRatio: number;
    };
    /** Base of runbook links; `#alert-<name>` is appended. */
    runbookUrl: string;
    /** How often rules are evaluated. */
    evaluationInterval: string;
}

/** Names of the scrape jobs; on GKE a PodMonitoring's name becomes its series' `job` label. */
export const JOBS = { service: "langchain-ha", follower: "langchain-ha-follower", qdrant: "qdrant", kubeStateMetrics: "kube-state-metrics" } as const;

/** The snapshot CronJob (infra/backup/snapshotJob.ts) whose last success bounds the snapshot age. */
export const SNAPSHOT_CRONJOB = "qdrant-snapshots";

export const METRICS_PATH = PROBE_PATHS.metrics;

type SpecInput = Pick<StackConfig, "environment" | "slo" | "dr" | "qdrant">;

/** A percentage as a ratio without float noise (99.99 -> 0.9999, not 0.9998999999999999). */
function ratio(percent: number): number {
    return Number((percent / 100).toPrecision(12));
}

/** The observability spec of a stack, from its validated config. */
export function observabilitySpec(c: SpecInput): ObservabilitySpec {
    const { slo } = c;
    return {
        environment: c.environment,
        slos: [
            {
                name: "availability",
                description: `${slo.availability.objectivePercent} % of requests to ${slo.availability.routes.join(", ")} answered without a 5xx`,
                objective: ratio(slo.availability.objectivePercent),
                windowDays: slo.windowDays,
                sli: { kind: "availability", routes: slo.availability.routes },
            },
            {
                name: "latency",
                description: `${slo.latency.objectivePercent} % of requests to ${slo.latency.routes.join(", ")} answered within ${slo.latency.thresholdSeconds} s`,
                objective: ratio(slo.latency.objectivePercent),
                windowDays: slo.windowDays,
                sli: { kind: "latency", routes: slo.latency.routes, thresholdSeconds: slo.latency.thresholdSeconds },
            },
        ],
        limits: {
            rpoSeconds: c.dr.rpoMinutes * 60,
            qdrantPeers: c.qdrant.replicas,
            degradedAnswersMaxRatio: ratio(slo.degradedAnswersMaxPercent),
            llmErrorMaxRatio: ratio(slo.llmErrorMaxPercent),
        },
        runbookUrl: slo.runbookUrl,
        evaluationInterval: "1m",
    };
}

/** The README anchor of an alert's runbook entry. */
export function runbookAnchor(alert: string): string {
    return `alert-${alert.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()}`;
}

export function runbookLink(spec: ObservabilitySpec, alert: string): string {
    return `${spec.runbookUrl}#${runbookAnchor(alert)}`;
}
