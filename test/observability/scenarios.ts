import assert from "node:assert/strict";
import { alertingRules, type ObservabilitySpec } from "../../infra/observability";
import { counter, type ExpectedAlert, type InputSeries, type RuleTestCase } from "../support/promtool";

/** The alert a rule raises: its labels and annotations as promtool compares them. */
export function expected(spec: ObservabilitySpec, alert: string, labels: Record<string, string> = {}): ExpectedAlert {
    const rule = alertingRules(spec).find((r) => r.alert === alert && Object.entries(labels).every(([k, v]) => r.labels[k] === v));
    assert.ok(rule, `no alerting rule ${alert} with ${JSON.stringify(labels)}`);
    return { exp_labels: { ...rule.labels, ...labels }, exp_annotations: rule.annotations };
}

export const ROUTE = "/v1/ask";
const PER_MINUTE = 600;

/** Requests to the SLO's route in `phases` of `stepMinutes`-minute steps, each with a share of 5xx. */
export function traffic(phases: { steps: number; errorShare: number }[], stepMinutes = 1): InputSeries[] {
    const perStep = PER_MINUTE * stepMinutes;
    return [
        { series: `http_requests_total{route="${ROUTE}",status="200"}`, values: counter(phases.map((p) => ({ minutes: p.steps, perStep: perStep * (1 - p.errorShare) }))) },
        { series: `http_requests_total{route="${ROUTE}",status="500"}`, values: counter(phases.map((p) => ({ minutes: p.steps, perStep: perStep * p.errorShare }))) },
    ];
}

type Scenario = Omit<RuleTestCase, "alert_rule_test">;

/** A healthy hour and more, then every request fails for an hour (1-minute steps). */
export const OUTAGE = { healthySteps: 70, stepMinutes: 1 };
export function outage(): Scenario {
    return { interval: "1m", input_series: traffic([{ steps: OUTAGE.healthySteps, errorShare: 0 }, { steps: 60, errorShare: 1 }]) };
}

/**
 * Three healthy days (the longest burn window is full of good traffic, as in steady state),
 * then a steady `errorShare` for three more, in 20-minute steps so promtool stays quick.
 */
export const SLOW_BURN = { healthySteps: 216, stepMinutes: 20 };
export function slowBurn(errorShare: number): Scenario {
    return {
        interval: `${SLOW_BURN.stepMinutes}m`,
        input_series: traffic([{ steps: SLOW_BURN.healthySteps, errorShare: 0 }, { steps: SLOW_BURN.healthySteps, errorShare }], SLOW_BURN.stepMinutes),
    };
}

/** Replication lag of 5 s for 30 minutes, then `seconds` for 30 more. */
export const LAG = { steadySteps: 30 };
export function lag(seconds: number): Scenario {
    return { interval: "1m", input_series: [{ series: "replication_lag_seconds", values: `5x${LAG.steadySteps} ${seconds}x30` }] };
}
