import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BURN_WINDOWS, burnRate, countRules, ruleGroups, toRuleFile } from "../../infra/observability";
import { checkRules, firstFiring, testRules } from "../support/promtool";
import { expected, lag, LAG, outage, OUTAGE, slowBurn, SLOW_BURN, traffic } from "./scenarios";
import { specWith, STACKS, stackSpec } from "./specs";

const prod = stackSpec("prod");
const prodRules = toRuleFile(ruleGroups(prod));
const at = (step: number, stepMinutes: number) => `${step * stepMinutes}m`;

describe("burn rates", () => {
    test("are the SRE workbook's 14.4, 6, 3 and 1 for a 30-day window, and scale with the window", () => {
        assert.deepEqual(BURN_WINDOWS.map((w) => burnRate(30, w.long, w.budgetSpent)), [14.4, 6, 3, 1]);
        assert.deepEqual(BURN_WINDOWS.map((w) => burnRate(7, w.long, w.budgetSpent)), [3.36, 1.4, 0.7, 0.233333]);
    });
});

describe("generated rules pass promtool check rules", () => {
    for (const stack of STACKS) {
        test(stack, (t) => {
            const spec = stackSpec(stack);
            const groups = ruleGroups(spec);
            const result = checkRules(toRuleFile(groups));
            assert.ok(result.ok, result.output);
            const [active, standby] = (["active", "standby"] as const).map((role) => countRules(ruleGroups(spec, {}, role)));
            t.diagnostic(`${stack}: ${active!.recording} recording + ${active!.alerting} alerting rules on the active side, ${standby!.recording} + ${standby!.alerting} on the standby`);
            // The same rules scoped to one cluster and namespace, as Cloud Monitoring evaluates them.
            const scoped = checkRules(toRuleFile(ruleGroups(spec, { cluster: `${stack}-gke`, namespace: "langchain-ha" })));
            assert.ok(scoped.ok, scoped.output);
        });
    }
});

describe("SLO burn-rate alerts (prod: 99.99 % availability)", () => {
    const page = expected(prod, "ErrorBudgetFastBurn", { slo: "availability" });

    test("a total outage pages within the fast-burn window (5 min)", (t) => {
        const { healthySteps } = OUTAGE;
        const firing = firstFiring(prodRules, "1m", outage(), "ErrorBudgetFastBurn", [page], { fromStep: healthySteps, maxSteps: healthySteps + 60, stepMinutes: 1 });
        assert.ok(firing !== undefined, "a total outage never paged within an hour");
        t.diagnostic(`time from a total outage to the page: ${firing - healthySteps} min`);
        assert.ok(firing - healthySteps <= 5, `paged after ${firing - healthySteps} min`);
    });

    test("a one-minute 5 % blip does not page; the same error share for an hour does", () => {
        const healthy = 360;
        const blip = { interval: "1m", input_series: traffic([{ steps: healthy, errorShare: 0 }, { steps: 1, errorShare: 0.05 }, { steps: 180, errorShare: 0 }]) };
        const checks = Array.from({ length: 37 }, (_, i) => ({ eval_time: `${healthy + i * 5}m`, alertname: "ErrorBudgetFastBurn", exp_alerts: [] }));
        const quiet = testRules(prodRules, "1m", [{ ...blip, alert_rule_test: checks }]);
        assert.ok(quiet.ok, quiet.output);
        const hour = { interval: "1m", input_series: traffic([{ steps: healthy, errorShare: 0 }, { steps: 60, errorShare: 0.05 }]) };
        const paged = testRules(prodRules, "1m", [{ ...hour, alert_rule_test: [{ eval_time: `${healthy + 60}m`, alertname: "ErrorBudgetFastBurn", exp_alerts: [page] }] }]);
        assert.ok(paged.ok, paged.output);
    });

    test("a 2x budget burn raises a ticket within the slow window (3 d), and no page", () => {
        const ticket = expected(prod, "ErrorBudgetSlowBurn", { slo: "availability" });
        const { healthySteps, stepMinutes } = SLOW_BURN;
        const end = at(2 * healthySteps, stepMinutes);
        const r = testRules(prodRules, `${stepMinutes}m`, [{
            ...slowBurn(2 * (1 - prod.slos[0]!.objective)),
            alert_rule_test: [
                { eval_time: at(healthySteps + 3, stepMinutes), alertname: "ErrorBudgetSlowBurn", exp_alerts: [] },
                { eval_time: end, alertname: "ErrorBudgetSlowBurn", exp_alerts: [ticket] },
                { eval_time: end, alertname: "ErrorBudgetFastBurn", exp_alerts: [] },
            ],
        }]);
        assert.ok(r.ok, r.output);
    });
});

describe("SLO burn-rate alerts (99.9 % availability)", () => {
    const spec = specWith({ availability: { objectivePercent: 99.9 } });

    test("a slow 0.2 % burn warns within the slow window (3 d) and does not page", () => {
        const ticket = expected(spec, "ErrorBudgetSlowBurn", { slo: "availability" });
        const { healthySteps, stepMinutes } = SLOW_BURN;
        const end = at(2 * healthySteps, stepMinutes);
        const r = testRules(toRuleFile(ruleGroups(spec)), `${stepMinutes}m`, [{
            ...slowBurn(0.002),
            alert_rule_test: [
                { eval_time: end, alertname: "ErrorBudgetSlowBurn", exp_alerts: [ticket] },
                { eval_time: at(healthySteps + 18, stepMinutes), alertname: "ErrorBudgetFastBurn", exp_alerts: [] },
                { eval_time: end, alertname: "ErrorBudgetFastBurn", exp_alerts: [] },
            ],
        }]);
        assert.ok(r.ok, r.output);
    });
});

describe("cause alerts", () => {
    test("replication lag above half the RPO pages; at 95 % of half the RPO it does not", () => {
        const half = prod.limits.rpoSeconds / 2;
        const alert = expected(prod, "ReplicationLagHigh");
        const after = `${LAG.steadySteps + 5}m`;
        const above = testRules(prodRules, "1m", [{ ...lag(half + 60), alert_rule_test: [{ eval_time: after, alertname: "ReplicationLagHigh", exp_alerts: [alert] }] }]);
        assert.ok(above.ok, above.output);
        const below = testRules(prodRules, "1m", [{ ...lag(half * 0.95), alert_rule_test: [{ eval_time: "60m", alertname: "ReplicationLagHigh", exp_alerts: [] }] }]);
        assert.ok(below.ok, below.output);
    });

    test("a snapshot set older than the RPO pages; a fresh one does not", () => {
        const rpoMinutes = prod.limits.rpoSeconds / 60;
        // The last success stays at t=0 while time moves on.
        const stale = { interval: "1m", input_series: [{ series: 'kube_cronjob_status_last_successful_time{cronjob="qdrant-snapshots"}', values: `0x${2 * rpoMinutes}` }] };
        const r = testRules(prodRules, "1m", [{
            ...stale,
            alert_rule_test: [
                { eval_time: `${rpoMinutes - 1}m`, alertname: "SnapshotTooOld", exp_alerts: [] },
                { eval_time: `${2 * rpoMinutes}m`, alertname: "SnapshotTooOld", exp_alerts: [expected(prod, "SnapshotTooOld")] },
            ],
        }]);
        assert.ok(r.ok, r.output);
    });

    test("a Qdrant peer that stops answering pages after 10 min", () => {
        const peers = Array.from({ length: prod.limits.qdrantPeers }, (_, i) => ({ series: `up{job="qdrant",pod="qdrant-${i}"}`, values: i === 0 ? "1x10 0x30" : "1x40" }));
        const r = testRules(prodRules, "1m", [{
            interval: "1m",
            input_series: peers,
            alert_rule_test: [
                { eval_time: "10m", alertname: "QdrantPeersNotReady", exp_alerts: [] },
                { eval_time: "25m", alertname: "QdrantPeersNotReady", exp_alerts: [expected(prod, "QdrantPeersNotReady")] },
            ],
        }]);
        assert.ok(r.ok, r.output);
    });

    test("the standby side is judged by its best instance: a waiting follower's 0 and -1 do not page", () => {
        const r = testRules(prodRules, "1m", [{
            interval: "1m",
            input_series: [
                { series: 'replication_fit_for_failover{pod="follower-0"}', values: "1x30" },
                { series: 'replication_fit_for_failover{pod="follower-1"}', values: "0x30" },
                { series: 'replication_lag_seconds{pod="follower-0"}', values: "5x30" },
                { series: 'replication_lag_seconds{pod="follower-1"}', values: "-1x30" },
                { series: 'replication_lag_seconds{pod="langchain-ha-0"}', values: "99999x30" },
            ],
            alert_rule_test: [
                { eval_time: "30m", alertname: "StandbyNotFitForFailover", exp_alerts: [] },
                { eval_time: "30m", alertname: "ReplicationLagHigh", exp_alerts: [] },
            ],
        }]);
        assert.ok(r.ok, r.output);
    });

    test("the standby reporting itself unfit pages", () => {
        const r = testRules(prodRules, "1m", [{
            interval: "1m",
            input_series: [{ series: "replication_fit_for_failover", values: "1x10 0x20" }],
            alert_rule_test: [
                { eval_time: "10m", alertname: "StandbyNotFitForFailover", exp_alerts: [] },
                { eval_time: "20m", alertname: "StandbyNotFitForFailover", exp_alerts: [expected(prod, "StandbyNotFitForFailover")] },
            ],
        }]);
        assert.ok(r.ok, r.output);
    });
});
