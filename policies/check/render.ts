import type { Finding } from "./requests";
import { urnName } from "../lib/settings";

/** An exemption from the policy config, as the JSON summary lists it. */
export interface ExemptionInForce {
    policy: string;
    resource: string;
    reason: string;
    expires: string;
    /** An expired exemption silences nothing and is itself a violation. */
    expired: boolean;
}

export interface JsonReport {
    summary: {
        verdict: "passed" | "failed";
        resources: number;
        findings: number;
        /** Findings by enforcement level (what fails the check). */
        byLevel: { mandatory: number; advisory: number };
        /** Findings by the rule's severity. */
        bySeverity: Record<string, number>;
        /** Exemptions in the policy config: findings they silence are not in `findings`. */
        exemptions: ExemptionInForce[];
    };
    findings: { policy: string; level: string; severity: string; urn: string; message: string }[];
}

/** One JSON document: a summary (verdict, counts by level and severity, exemptions), then the findings. */
export function renderJson(findings: Finding[], resources = 0, severityOf: (policy: string) => string = () => "unknown", exemptions: ExemptionInForce[] = []): string {
    const mandatory = findings.filter((f) => f.level === "mandatory").length;
    const bySeverity: Record<string, number> = {};
    for (const f of findings) bySeverity[severityOf(f.policy)] = (bySeverity[severityOf(f.policy)] ?? 0) + 1;
    const report: JsonReport = {
        summary: {
            verdict: mandatory > 0 ? "failed" : "passed",
            resources,
            findings: findings.length,
            byLevel: { mandatory, advisory: findings.length - mandatory },
            bySeverity,
            exemptions,
        },
        findings: findings.map(({ policy, level, urn, message }) => ({ policy, level, severity: severityOf(policy), urn, message })),
    };
    return JSON.stringify(report, null, 2);
}

export function summaryLine(findings: Finding[], resources: number): string {
    const mandatory = findings.filter((f) => f.level === "mandatory").length;
    const advisory = findings.length - mandatory;
    const verdict = mandatory > 0 ? "FAILED" : "passed";
    return `${verdict}: ${mandatory} mandatory, ${advisory} advisory violation${advisory === 1 ? "" : "s"} in ${resources} resources`;
}

/** A table grouped by resource: one heading per resource, one row per violation; levels in colour on a terminal. */
export function renderTable(findings: Finding[], resources: number, paint: (style: "red" | "yellow" | "green" | "bold", text: string) => string = (_s, t) => t): string {
    const lines: string[] = [];
    const groups = new Map<string, Finding[]>();
    for (const f of findings) groups.set(f.urn, [...(groups.get(f.urn) ?? []), f]);
    const ruleWidth = Math.max(4, ...findings.map((f) => f.policy.length));
    for (const [urn, list] of groups) {
        lines.push(`${urnName(urn)}  (${urn})`);
        for (const f of list) {
            lines.push(`  ${f.policy.padEnd(ruleWidth)}  ${paint(f.level === "mandatory" ? "red" : "yellow", f.level.padEnd(9))}  ${f.message}`);
        }
        lines.push("");
    }
    const verdict = summaryLine(findings, resources);
    lines.push(paint(findings.some((f) => f.level === "mandatory") ? "red" : "green", verdict));
    return lines.join("\n");
}
