/**
 * One request's time budget: a signal that fires when it is spent, what is left of it, and
 * shares of it. Its timers are cleared by dispose() when the request ends, so a busy instance
 * does not carry one pending timer per past request until each would have fired.
 */
export class Deadline {
    private readonly controller = new AbortController();
    private readonly timers: NodeJS.Timeout[] = [];
    private readonly endsAt: number;

    constructor(ms: number) {
        this.endsAt = performance.now() + ms;
        this.timers.push(setTimeout(() => this.controller.abort(new Error(`deadline of ${ms} ms reached`)), ms));
    }

    get signal(): AbortSignal {
        return this.controller.signal;
    }

    /**
     * Zero once the signal has fired: libuv's timer clock counts whole milliseconds, so the
     * timer may fire up to one millisecond before `endsAt` by `performance.now()`.
     */
    get remainingMs(): number {
        if (this.controller.signal.aborted) return 0;
        return Math.max(0, this.endsAt - performance.now());
    }

    /** A signal that fires after `ms` or at the deadline, whichever comes first. */
    within(ms: number): AbortSignal {
        const share = new AbortController();
        const parent = this.controller.signal;
        if (parent.aborted) share.abort(parent.reason);
        else parent.addEventListener("abort", () => share.abort(parent.reason), { once: true });
        this.timers.push(setTimeout(() => share.abort(new Error(`share of ${Math.round(ms)} ms reached`)), Math.max(1, ms)));
        return share.signal;
    }

    dispose(): void {
        for (const timer of this.timers) clearTimeout(timer);
    }
}
