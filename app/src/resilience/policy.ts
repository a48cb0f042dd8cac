import {
    circuitBreaker,
    CircuitState,
    ExponentialBackoff,
    handleWhen,
    retry,
    SamplingBreaker,
    timeout,
    TimeoutStrategy,
    wrap,
} from "cockatiel";
import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from "cockatiel";
import { isInputFault, isPermanentQuota, isPolicyRejection, isRetryable, retryAfterMs } from "./classify";

export type BreakerState = "closed" | "open" | "half-open";

export interface PolicyOptions {
    /** Per attempt; aggressive, so a client that ignores its abort signal still returns on time. */
    timeoutMs: number;
    /** Attempts after the first, for retryable errors only. */
    maxRetries: number;
    /** First backoff delay; later ones grow exponentially with decorrelated jitter. */
    initialDelayMs: number;
    maxDelayMs: number;
    /**
     * The breaker opens when more than this fraction (0 to 1, exclusive) of the attempts in the
     * sliding window failed...
     */
    failureRate: number;
    /** ...over this window, in ms... */
    windowMs: number;
    /** ...once the window holds at least this many attempts (a few failures at low traffic prove nothing). */
    minCalls: number;
    /** Time the breaker stays open before letting one trial call through. */
    halfOpenAfterMs: number;
    /**
     * The longest `retry-after` worth waiting for within a request; a provider asking for more
     * is given up on at once, so the answer chain moves to the next provider. Defaults to timeoutMs.
     */
    maxRetryAfterMs?: number;
}

/** The outbound-call guard for one dependency: a breaker of its own, timeouts, retries. */
export interface DependencyPolicy {
    state(): BreakerState;
    execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal: AbortSignal): Promise<T>;
}

/**
 * The request's own deadline fired: the dependency is not to blame, so neither retry nor breaker
 * counts it. `duringTrial`: the attempt was a half-open breaker's trial call, which then proved
 * nothing either way, so the breaker stays open rather than closing on it.
 */
export class CallerAbortedError extends Error {
    constructor(
        readonly dependency: string,
        cause: unknown,
        readonly duringTrial = false,
    ) {
        super(`${dependency}: request deadline reached`, { cause });
        this.name = "CallerAbortedError";
    }
}

/**
 * What a breaker counts as the dependency failing: not our own deadline, not our own policy
 * rejections, not an exhausted quota (the provider is up), not the request's own bad input.
 */
export function countsAgainstDependency(error: unknown): boolean {
    if (error instanceof CallerAbortedError) return false;
    return !isPolicyRejection(error) && !isPermanentQuota(error) && !isInputFault(error);
}

const STATES: Record<CircuitState, BreakerState> = {
    [CircuitState.Closed]: "closed",
    [CircuitState.HalfOpen]: "half-open",
    [CircuitState.Open]: "open",
    [CircuitState.Isolated]: "open",
};

export function createDependencyPolicy(
    name: string,
    options: PolicyOptions,
    onStateChange: (state: BreakerState) => void = () => undefined,
): DependencyPolicy {
    // cockatiel closes a half-open breaker on any error its filter does not handle ("failed
    // successfully"): a trial cut by our own deadline is handled, so that it re-opens instead.
    const breaker = circuitBreaker(
        handleWhen((error) => (error instanceof CallerAbortedError ? error.duringTrial : countsAgainstDependency(error))),
        {
            halfOpenAfter: options.halfOpenAfterMs,
            // A failure rate over a sliding window with a minimum throughput, not a run of
            // consecutive failures: at 30 % errors a run of five comes every few hundred calls
            // and would drop a dependency that still answers most requests.
            breaker: new SamplingBreaker({
                threshold: options.failureRate,
                duration: options.windowMs,
                minimumRps: (options.minCalls * 1000) / options.windowMs,
            }),
        },
    );
    breaker.onStateChange((state) => onStateChange(STATES[state]));
    const maxRetryAfterMs = options.maxRetryAfterMs ?? options.timeoutMs;
    const retryPolicy = retry(
        handleWhen((error) => !(error instanceof CallerAbortedError) && isRetryable(error) && (retryAfterMs(error) ?? 0) <= maxRetryAfterMs),
        {
            maxAttempts: options.maxRetries,
            backoff: new RetryAfterBackoff(new ExponentialBackoff({ initialDelay: options.initialDelayMs, maxDelay: options.maxDelayMs })),
        },
    );
    const guard = wrap(retryPolicy, breaker);
    // abortOnReturn off: aborting a finished attempt's signal builds an AbortError with a stack
    // trace on every call, for nothing (a finished call has nothing left to cancel).
    const attemptTimeout = timeout(options.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false });
    return {
        state: () => STATES[breaker.state],
        execute: (fn, signal) =>
            guard.execute(async (context) => {
                // Read before the first await: cockatiel starts a trial call while its state still says open.
                const trial = breaker.state !== CircuitState.Closed;
                try {
                    return await attemptTimeout.execute((attempt) => fn(attempt.signal), context.signal);
                } catch (error) {
                    // Checked here, inside the breaker, so that our own deadline is never held against the dependency.
                    throw signal.aborted ? new CallerAbortedError(name, error, trial) : error;
                }
            }, signal),
    };
}

type RetryContext = IRetryBackoffContext<unknown>;

/**
 * Jittered exponential backoff that waits at least as long as the provider's `retry-after`:
 * a retry inside the provider's limit window only fails again and counts toward the breaker.
 */
export class RetryAfterBackoff implements IBackoffFactory<RetryContext> {
    constructor(private readonly inner: IBackoffFactory<RetryContext>) {}

    next(context: RetryContext): IBackoff<RetryContext> {
        const step = this.inner.next(context);
        const hinted = "error" in context.result ? retryAfterMs(context.result.error) : undefined;
        return { duration: Math.max(step.duration, hinted ?? 0), next: (c) => new RetryAfterBackoff(step).next(c) };
    }
}

/** No guard at all: the bench's baseline for what the resilience layer costs. */
export function passthroughPolicy(): DependencyPolicy {
    return { state: () => "closed", execute: (fn, signal) => fn(signal) };
}
