import { timeout, TimeoutStrategy } from "cockatiel";
import { describeFailure } from "../resilience/classify";
import { StoreUnhealthyError, type StoreStatus } from "../vectorstore/types";

export type ProbeState = "ok" | "degraded" | "down";

export interface ProbeVerdict {
    status: ProbeState;
    /** The successful attempt's latency, or how long the probe has been running / took to fail. */
    latencyMs: number;
    detail: string;
}

export interface StoreProbeOptions {
    /** One attempt's timeout: the request path's per-attempt timeout, since a store slower than that cannot answer a request either. */
    attemptTimeoutMs: number;
    /** Attempts per probe; it fails only when every one does, so scattered errors do not fail the region over. */
    attempts: number;
    /** An answer slower than this is "degraded": still serving, still 200. */
    slowMs: number;
    /** A verdict younger than this is reused. */
    cacheMs: number;
}

interface Finished extends ProbeVerdict {
    at: number;
}

/**
 * Region health's view of the vector store: one probe at a time, whatever the number of health
 * checks (they all share the running probe, then its verdict for `cacheMs`), straight to the
 * store with its own timeout, never through the request path's breaker.
 */
export class StoreProbe {
    private running?: { since: number; verdict: Promise<Finished> };
    private last?: Finished;
    private readonly attemptTimeout;

    constructor(
        private readonly check: (signal: AbortSignal) => Promise<StoreStatus>,
        private readonly options: StoreProbeOptions,
    ) {
        this.attemptTimeout = timeout(options.attemptTimeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    }

    /**
     * The current verdict: a fresh cached one, else the running probe's if it finishes within
     * `waitMs`; else a provisional one (a health check must answer in time even when the store
     * does not): "degraded" while the probe is merely slow, "down" only if the last probe said so.
     */
    async verdict(waitMs: number): Promise<ProbeVerdict> {
        const now = performance.now();
        if (!this.running && this.last && now - this.last.at < this.options.cacheMs) return this.last;
        const running = (this.running ??= { since: now, verdict: this.probe() });
        let timer: NodeJS.Timeout | undefined;
        const waited = new Promise<undefined>((resolve) => {
            timer = setTimeout(() => resolve(undefined), waitMs);
        });
        try {
            return (await Promise.race([running.verdict, waited])) ?? this.provisional(running.since);
        } finally {
            clearTimeout(timer);
        }
    }

    private provisional(since: number): ProbeVerdict {
        const elapsed = round(performance.now() - since);
        const last = this.last;
        if (last?.status === "down") return { ...last, detail: `${last.detail}; a new probe has run for ${elapsed} ms` };
        const before = last ? `; the last one said: ${last.detail}` : "";
        return { status: "degraded", latencyMs: elapsed, detail: `slow: the probe has run for ${elapsed} ms without an answer${before}` };
    }

    private async probe(): Promise<Finished> {
        try {
            this.last = { ...(await this.attempts()), at: performance.now() };
            return this.last;
        } finally {
            this.running = undefined;
        }
    }

    private async attempts(): Promise<ProbeVerdict> {
        const started = performance.now();
        const failures: string[] = [];
        for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
            const attemptStarted = performance.now();
            try {
                const status = await this.attemptTimeout.execute(({ signal }) => this.check(signal));
                const latencyMs = round(performance.now() - attemptStarted);
                const slow = latencyMs > this.options.slowMs;
                const notes = [
                    ...(slow ? [`slow: answered in ${latencyMs} ms (over ${this.options.slowMs} ms)`] : []),
                    ...(failures.length ? [`${failures.length} of ${attempt} attempts failed (${failures.join(", ")})`] : []),
                ];
                const verdictStatus: ProbeState = !status.writable || notes.length > 0 ? "degraded" : "ok";
                return { status: verdictStatus, latencyMs, detail: [status.detail, ...notes].join("; ") };
            } catch (error) {
                // The store answered that it cannot serve (no quorum, unusable collection): another attempt will not change that.
                if (error instanceof StoreUnhealthyError) return { status: "down", latencyMs: round(performance.now() - attemptStarted), detail: error.message };
                failures.push(describeFailure(error));
            }
        }
        return { status: "down", latencyMs: round(performance.now() - started), detail: `${failures.length} attempt(s) failed: ${failures.join(", ")}` };
    }
}

function round(ms: number): number {
    return Math.round(ms * 100) / 100;
}
