import { stringify } from "yaml";
import { causeRuleGroup } from "./alerts";
import type { Scope } from "./promql";
import { isAlert, type AlertingRule, type RuleGroup } from "./rule";
import { sloRuleGroups } from "./slo";
import type { ObservabilitySpec, SideRole } from "./spec";

/**
 * Every rule group of a side: SLO recording and burn-rate rules, then the cause alerts that
 * apply to its `role` (all of them when no role is given, as for tests and the README).
 */
export function ruleGroups(spec: ObservabilitySpec, scope: Scope = {}, role?: SideRole): RuleGroup[] {
    return [...sloRuleGroups(spec, scope, { alerts: true }), causeRuleGroup(spec, scope, role)];
}

/** Only the recording rules (for an evaluator whose alerts are declared elsewhere). */
export function recordingRuleGroups(spec: ObservabilitySpec, scope: Scope = {}): RuleGroup[] {
    return sloRuleGroups(spec, scope, { alerts: false });
}

/** Only the alerting rules, flattened. */
export function alertingRules(spec: ObservabilitySpec, scope: Scope = {}, role?: SideRole): AlertingRule[] {
    return ruleGroups(spec, scope, role).flatMap((g) => g.rules.filter(isAlert));
}

/** A Prometheus rule file (what `promtool check rules` and AMP's rule groups namespace take). */
export function toRuleFile(groups: RuleGroup[]): string {
    return stringify({ groups }, { lineWidth: 0 });
}

/** Rules per kind, for the report and the stack outputs. */
export function countRules(groups: RuleGroup[]): { recording: number; alerting: number } {
    const rules = groups.flatMap((g) => g.rules);
    const alerting = rules.filter(isAlert).length;
    return { recording: rules.length - alerting, alerting };
}
