/**
 * Exit codes of `npm run dr`, documented in docs/runbook.md:
 * 0 done (status: healthy); 1 refused by a pre-flight check, a step failed, or (status) degraded;
 * 2 bad input or (status) cannot determine; 3 the operator did not confirm.
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, notConfirmed: 3 } as const;

/** Bad input: an unknown stack, a missing or malformed outputs file, an unknown side. Exit 2. */
export class InputError extends Error {
    constructor(message: string, readonly suggestion?: string) {
        super(message);
        this.name = "InputError";
    }
}

/** A pre-flight check said no; nothing was changed by the failing step. Exit 1. */
export class RefusedError extends Error {
    constructor(message: string, readonly suggestion?: string) {
        super(message);
        this.name = "RefusedError";
    }
}

/** A step could not complete; the state file keeps the position so the next run resumes there. Exit 1. */
export class StepFailedError extends Error {
    constructor(readonly step: string, message: string, readonly stateFile?: string) {
        super(`step ${step} failed: ${message}`);
        this.name = "StepFailedError";
    }
}

/** The operator answered no (or no terminal could ask). Exit 3. */
export class NotConfirmedError extends Error {
    constructor(message = "not confirmed; nothing was changed (pass --yes to act without asking)") {
        super(message);
        this.name = "NotConfirmedError";
    }
}

/** The message of anything thrown, on one line. */
export function oneLine(error: unknown): string {
    const text = error instanceof Error ? error.message : String(error);
    return text.split("\n")[0]!.trim();
}
