import * as fs from "node:fs";
import * as path from "node:path";

export interface AuditEntry {
    event: "run-start" | "run-resume" | "step-start" | "step-done" | "step-skip" | "step-failed" | "run-done" | "run-failed" | "run-discarded";
    stack: string;
    runId: string;
    command: string;
    step?: string;
    from?: string;
    to?: string;
    ms?: number;
    facts?: Record<string, unknown>;
    error?: string;
}

/**
 * The append-only audit trail: one JSON object per line, never rewritten. Each write is a
 * single `appendFileSync` of a whole line, so a crash leaves at worst a missing last line.
 */
export class AuditLog {
    constructor(readonly file: string) {}

    append(entry: AuditEntry): void {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        fs.appendFileSync(this.file, `${JSON.stringify({ at: new Date().toISOString(), ...entry })}\n`);
    }
}
