/** One request's time budget: a signal that fires when it is spent, and what is left of it. */
export class Deadline {
    readonly signal: AbortSignal;
    private readonly endsAt: number;

    constructor(ms: number) {
        this.endsAt = performance.now() + ms;
        this.signal = AbortSignal.timeout(ms);
    }

    get remainingMs(): number {
        return Math.max(0, this.endsAt - performance.now());
    }

    /** A signal that fires after `ms` or at the deadline, whichever comes first. */
    within(ms: number): AbortSignal {
        return AbortSignal.any([this.signal, AbortSignal.timeout(Math.max(1, Math.floor(ms)))]);
    }
}
