/** Mutation scores from a Stryker JSON report (mutation-testing-report-schema), and the gate. */

type Status = "Killed" | "Survived" | "NoCoverage" | "Timeout" | "CompileError" | "RuntimeError" | "Ignored" | "Pending";

export interface StrykerMutant {
    status: Status;
    mutatorName?: string;
    replacement?: string;
    location?: { start: { line: number; column: number } };
}

export interface StrykerReport {
    files: Record<string, { mutants: StrykerMutant[] }>;
}

export interface AreaScore {
    area: string;
    mutants: number;
    killed: number;
    timeout: number;
    survived: number;
    noCoverage: number;
    /** Static or otherwise ignored mutants, and those that do not compile or crash the runner: not scored. */
    notScored: number;
    /** Detected / (detected + undetected), in percent; 100 when nothing is scored. */
    score: number;
    /** The score rounded down to one decimal: what a re-baseline records. */
    floor: number;
    seconds: number;
}

/** Lowest accepted score per area, in percent. */
export type Thresholds = Record<string, number>;

export function scoreOf(area: string, report: StrykerReport, seconds: number): AreaScore {
    const count: Record<Status, number> = { Killed: 0, Survived: 0, NoCoverage: 0, Timeout: 0, CompileError: 0, RuntimeError: 0, Ignored: 0, Pending: 0 };
    for (const file of Object.values(report.files)) for (const m of file.mutants) count[m.status]++;
    const detected = count.Killed + count.Timeout;
    const undetected = count.Survived + count.NoCoverage;
    const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
    return {
        area,
        mutants: Object.values(count).reduce((a, b) => a + b, 0),
        killed: count.Killed,
        timeout: count.Timeout,
        survived: count.Survived,
        noCoverage: count.NoCoverage,
        notScored: count.Ignored + count.CompileError + count.RuntimeError + count.Pending,
        score,
        floor: Math.floor(score * 10) / 10,
        seconds,
    };
}

/** One line per area and the exit code: 1 when an area scores below its threshold or has none. */
export function judge(scores: AreaScore[], thresholds: Thresholds): { lines: string[]; exitCode: 0 | 1 } {
    const lines = ["area | mutants | killed | timeout | survived | no coverage | not scored | score | threshold | time", "--- | --- | --- | --- | --- | --- | --- | --- | --- | ---"];
    let failed = 0;
    for (const s of scores) {
        const threshold = thresholds[s.area];
        const ok = threshold !== undefined && s.score >= threshold;
        if (!ok) failed++;
        const verdict = threshold === undefined ? "none (run --rebaseline)" : `${threshold.toFixed(1)} % ${ok ? "ok" : "BELOW"}`;
        lines.push(`${s.area} | ${s.mutants} | ${s.killed} | ${s.timeout} | ${s.survived} | ${s.noCoverage} | ${s.notScored} | ${s.score.toFixed(1)} % | ${verdict} | ${s.seconds.toFixed(0)} s`);
    }
    lines.push(failed === 0 ? "mutation: every area at or above its threshold" : `mutation: ${failed} area(s) below their threshold`);
    return { lines, exitCode: failed === 0 ? 0 : 1 };
}

/**
 * The undetected mutants (survived or reached by no test), one "file:line:column mutator replacement"
 * line each, ordered by file and position: what to kill next, or to list as equivalent.
 */
export function survivorsOf(report: StrykerReport): string[] {
    const lines: { file: string; line: number; column: number; text: string }[] = [];
    for (const [file, { mutants }] of Object.entries(report.files)) {
        for (const m of mutants) {
            if (m.status !== "Survived" && m.status !== "NoCoverage") continue;
            const line = m.location?.start.line ?? 0;
            const column = m.location?.start.column ?? 0;
            const replacement = (m.replacement ?? "").replace(/\s+/g, " ");
            const shown = replacement.length > 60 ? `${replacement.slice(0, 57)}...` : replacement;
            const tag = m.status === "NoCoverage" ? " (no coverage)" : "";
            lines.push({ file, line, column, text: `${file}:${line}:${column} ${m.mutatorName ?? "?"} ${JSON.stringify(shown)}${tag}` });
        }
    }
    lines.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
    return lines.map((l) => l.text);
}
