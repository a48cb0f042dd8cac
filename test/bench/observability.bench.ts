/**
 * Alerting figures read off Prometheus' rule tester (promtool) for each stack's generated
 * rules: rules per side, time from a total outage to the page, from a steady 2x budget burn
 * to the ticket, from replication lag above half the RPO to the page. Simulated time, so the
 * figures do not depend on the machine; the wall time of the measurement is printed too.
 */
import { countRules, ruleGroups, toRuleFile } from "../../infra/observability";
import { expected, lag, LAG, outage, OUTAGE, slowBurn, SLOW_BURN } from "../observability/scenarios";
import { STACKS, stackSpec } from "../observability/specs";
import { firstFiring } from "../support/promtool";

function row(cells: (string | number)[]): string {
    return `| ${cells.join(" | ")} |`;
}

const started = Date.now();
console.log(row(["stack", "objective", "recording rules (active / standby side)", "alerting rules (active / standby side)", "outage -> page", "2x burn -> ticket", "lag > RPO/2 -> page"]));
console.log(row(["---", "---", "---", "---", "---", "---", "---"]));
for (const stack of STACKS) {
    const spec = stackSpec(stack);
    const rules = toRuleFile(ruleGroups(spec));
    const active = countRules(ruleGroups(spec, {}, "active"));
    const standby = countRules(ruleGroups(spec, {}, "standby"));
    const availability = spec.slos.find((s) => s.name === "availability")!;

    const page = firstFiring(rules, "1m", outage(), "ErrorBudgetFastBurn", [expected(spec, "ErrorBudgetFastBurn", { slo: "availability" })], {
        fromStep: OUTAGE.healthySteps, maxSteps: OUTAGE.healthySteps + 60, stepMinutes: 1,
    });
    const ticket = firstFiring(rules, `${SLOW_BURN.stepMinutes}m`, slowBurn(2 * (1 - availability.objective)), "ErrorBudgetSlowBurn",
        [expected(spec, "ErrorBudgetSlowBurn", { slo: "availability" })],
        { fromStep: SLOW_BURN.healthySteps, maxSteps: 2 * SLOW_BURN.healthySteps, stepMinutes: SLOW_BURN.stepMinutes });
    const lagPage = firstFiring(rules, "1m", lag(spec.limits.rpoSeconds / 2 + 60), "ReplicationLagHigh", [expected(spec, "ReplicationLagHigh")], {
        fromStep: LAG.steadySteps, maxSteps: LAG.steadySteps + 30, stepMinutes: 1,
    });
    const minutes = (step: number | undefined, from: number, stepMinutes: number) => (step === undefined ? "never" : `${(step - from) * stepMinutes} min`);
    const hours = (step: number | undefined) => (step === undefined ? "never (3 d)" : `${(((step - SLOW_BURN.healthySteps) * SLOW_BURN.stepMinutes) / 60).toFixed(1)} h (+-${SLOW_BURN.stepMinutes} min)`);
    console.log(row([
        stack,
        `${(availability.objective * 100).toFixed(3).replace(/0+$/, "")} %`,
        `${active.recording} / ${standby.recording}`,
        `${active.alerting} / ${standby.alerting}`,
        minutes(page, OUTAGE.healthySteps, 1),
        hours(ticket),
        minutes(lagPage, LAG.steadySteps, 1),
    ]));
}
console.log(`\nmeasured with promtool in ${((Date.now() - started) / 1000).toFixed(1)} s (bisection over evaluation times; the slow burn follows 3 healthy days)`);
