/** Human renderings of command results; the JSON output is the same object, unrendered. */

export interface SwitchReportView {
    command: string;
    stack: string;
    target: string;
    epoch: unknown;
    promoteMode: unknown;
    rtoSeconds: number;
    rtoMeasuredFrom: string;
    rtoTargetSeconds: number;
    withinRto: boolean;
    lagSecondsAtPreflight: unknown;
    unreplicatedEntries: unknown;
    configChange: unknown;
    resumed: boolean;
}

export function renderSwitchReport(r: SwitchReportView): string {
    const lag = typeof r.lagSecondsAtPreflight === "number" ? `${r.lagSecondsAtPreflight.toFixed(1)} s` : "unknown";
    const lost = r.unreplicatedEntries === null || r.unreplicatedEntries === undefined ? "unknown (the old journal was unreadable)" : `${String(r.unreplicatedEntries)} journal entries`;
    return [
        `${r.command} to ${r.target} on ${r.stack}: done${r.resumed ? " (resumed)" : ""}`,
        `  epoch ${String(r.epoch)}, promotion ${String(r.promoteMode)}`,
        `  RTO ${r.rtoSeconds.toFixed(1)} s from ${r.rtoMeasuredFrom} (target ${r.rtoTargetSeconds} s: ${r.withinRto ? "met" : "MISSED"})`,
        `  data window: follower lag at pre-flight ${lag}; not replicated at promotion: ${lost}`,
        ...(Array.isArray(r.configChange) ? r.configChange.map((l) => `  ${String(l)}`) : []),
    ].join("\n");
}
