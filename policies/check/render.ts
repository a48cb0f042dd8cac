import type { Finding } from "./requests";
import { urnName } from "../lib/settings";
import { pushTo } from "../lib/stack";

export function renderJson(findings: Finding[]): string {
    return JSON.stringify(findings.map(({ policy, level, urn, message }) => ({ policy, level, urn, message })), null, 2);
}

export function summaryLine(findings: Finding[], resources: number): string {
    const mandatory = findings.filter((f) => f.level === "mandatory").length;
    const advisory = findings.length - mandatory;
    const verdict = mandatory > 0 ? "FAILED" : "passed";
    return `${verdict}: ${mandatory} mandatory, ${advisory} advisory violation${advisory === 1 ? "" : "s"} in ${resources} resources`;
}

/** A table grouped by resource: one heading per resource, one row per violation. */
export function renderTable(findings: Finding[], resources: number): string {
    const lines: string[] = [];
    const groups = new Map<string, Finding[]>();
    for (const f of findings) pushTo(groups, f.urn, f);
    const ruleWidth = Math.max(4, ...findings.map((f) => f.policy.length));
    for (const [urn, list] of groups) {
        lines.push(`${urnName(urn)}  (${urn})`);
        for (const f of list) {
            lines.push(`  ${f.policy.padEnd(ruleWidth)}  ${f.level.padEnd(9)}  ${f.message}`);
        }
        lines.push("");
    }
    lines.push(summaryLine(findings, resources));
    return lines.join("\n");
}
