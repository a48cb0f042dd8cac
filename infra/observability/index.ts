export { observabilitySpec, runbookAnchor, runbookLink, JOBS, SNAPSHOT_CRONJOB } from "./spec";
export type { ObservabilitySpec, SloSpec, AlertSpec, Severity } from "./spec";
export { ruleGroups, recordingRuleGroups, alertingRules, toRuleFile, countRules } from "./rules";
export { alertCatalogue, causeAlerts } from "./alerts";
export { BURN_WINDOWS, BURN_ALERTS, burnRate } from "./slo";
export type { RuleGroup, Rule, AlertingRule, RecordingRule } from "./rule";
