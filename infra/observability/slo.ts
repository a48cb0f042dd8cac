import { eq, num, oneOf, seconds, sel, type Scope } from "./promql";
import type { AlertingRule, RecordingRule, RuleGroup } from "./rule";
import { runbookLink, type ObservabilitySpec, type Severity, type SloSpec } from "./spec";

/**
 * The SRE workbook's multiwindow, multi-burn-rate alerts: each pair alerts when both its long
 * window (enough budget spent to matter) and its short window (still burning now, so the alert
 * resets quickly after a fix) burn faster than `budgetSpent` of the whole window's budget
 * spent within `long`.
 */
export const BURN_WINDOWS: readonly { severity: Severity; long: string; short: string; budgetSpent: number }[] = [
    { severity: "page", long: "1h", short: "5m", budgetSpent: 0.02 },
    { severity: "page", long: "6h", short: "30m", budgetSpent: 0.05 },
    { severity: "ticket", long: "1d", short: "2h", budgetSpent: 0.1 },
    { severity: "ticket", long: "3d", short: "6h", budgetSpent: 0.1 },
];

/** The alert names, by severity. */
export const BURN_ALERTS: Record<Severity, { name: string; for: string }> = {
    page: { name: "ErrorBudgetFastBurn", for: "2m" },
    ticket: { name: "ErrorBudgetSlowBurn", for: "15m" },
};

/** Windows with a recorded error ratio. */
export const RATIO_WINDOWS = [...new Set(BURN_WINDOWS.flatMap((w) => [w.short, w.long]))];

function hoursOf(window: string): number {
    return seconds(window) / 3600;
}

/** Burn rate (multiple of the sustainable error ratio) at which `budgetSpent` goes in `long`. */
export function burnRate(windowDays: number, long: string, budgetSpent: number): number {
    return Number(((budgetSpent * windowDays * 24) / hoursOf(long)).toPrecision(6));
}

export function errorRatioSeries(window: string): string {
    return `slo:sli_error:ratio_rate${window}`;
}

export const BUDGET_REMAINING_SERIES = "slo:error_budget_remaining:ratio";

/** Bad events over all events on the SLO's routes, over `window`. */
export function errorRatio(slo: SloSpec, window: string, scope: Scope): string {
    const sli = slo.sli;
    const route = oneOf("route", sli.routes);
    if (sli.kind === "availability") {
        return `sum(rate(${sel("http_requests_total", scope, route, 'status=~"5.."')}[${window}]))\n/\nsum(rate(${sel("http_requests_total", scope, route)}[${window}]))`;
    }
    const good = `sum(rate(${sel("http_request_duration_seconds_bucket", scope, route, eq("le", num(sli.thresholdSeconds)))}[${window}]))`;
    const total = `sum(rate(${sel("http_request_duration_seconds_count", scope, route)}[${window}]))`;
    return `1 - (\n${good}\n/\n${total}\n)`;
}

function recorded(slo: SloSpec, window: string, scope: Scope): string {
    return sel(errorRatioSeries(window), scope, eq("slo", slo.name));
}

export function recordingRules(slo: SloSpec, scope: Scope): RecordingRule[] {
    const budget = 1 - slo.objective;
    return [
        ...RATIO_WINDOWS.map((w) => ({ record: errorRatioSeries(w), expr: errorRatio(slo, w, scope), labels: { slo: slo.name } })),
        {
            // Share of the window's error budget not yet spent; an average of 5-minute ratios, as
            // a ratio over the whole window from raw counters would be too costly to evaluate.
            record: BUDGET_REMAINING_SERIES,
            expr: `1 - (avg_over_time(${recorded(slo, "5m", scope)}[${slo.windowDays}d]) / ${num(budget)})`,
            labels: { slo: slo.name },
        },
    ];
}

export function alertingRules(spec: ObservabilitySpec, slo: SloSpec, scope: Scope): AlertingRule[] {
    const budget = 1 - slo.objective;
    return (["page", "ticket"] as const).map((severity) => {
        const { name, for: holdFor } = BURN_ALERTS[severity];
        const pairs = BURN_WINDOWS.filter((w) => w.severity === severity).map((w) => {
            const threshold = num(burnRate(slo.windowDays, w.long, w.budgetSpent) * budget);
            return `(\n  ${recorded(slo, w.long, scope)} > ${threshold}\nand\n  ${recorded(slo, w.short, scope)} > ${threshold}\n)`;
        });
        const windows = BURN_WINDOWS.filter((w) => w.severity === severity)
            .map((w) => `${burnRate(slo.windowDays, w.long, w.budgetSpent)}x over ${w.long} and ${w.short}`)
            .join(", or ");
        return {
            alert: name,
            expr: pairs.join("\nor\n"),
            for: holdFor,
            labels: { severity, slo: slo.name },
            annotations: {
                summary: `The ${slo.name} SLO (${slo.description}) burns its ${slo.windowDays}-day error budget ${severity === "page" ? "fast" : "steadily"}`,
                description: `Error ratio above ${windows} the sustainable rate (${num(budget)}).`,
                runbook_url: runbookLink(spec, name),
            },
        };
    });
}

/** One group per SLO: its recording rules, then its alerts (which read the recorded series). */
export function sloRuleGroups(spec: ObservabilitySpec, scope: Scope, include: { alerts: boolean }): RuleGroup[] {
    return spec.slos.map((slo) => ({
        name: `slo-${slo.name}`,
        interval: spec.evaluationInterval,
        rules: [...recordingRules(slo, scope), ...(include.alerts ? alertingRules(spec, slo, scope) : [])],
    }));
}

