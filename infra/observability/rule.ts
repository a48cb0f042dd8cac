/** Prometheus rule-file shapes (https://prometheus.io/docs/prometheus/latest/configuration/recording_rules/). */

export interface RecordingRule {
    record: string;
    expr: string;
    labels?: Record<string, string>;
}

export interface AlertingRule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
    name: string;
    interval: string;
    rules: Rule[];
}

export function isAlert(rule: Rule): rule is AlertingRule {
    return "alert" in rule;
}
