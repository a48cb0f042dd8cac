import {
    circuitBreaker,
    CircuitState,
    ConsecutiveBreaker,
    ExponentialBackoff,
    handleWhen,
    retry,
    timeout,
    TimeoutStrategy,
    wrap,
} from "cockatiel";
import type { IBackoff, IBackoffFactory, IRetryBackoffContext } from "cockatiel";
import { isPermanentQuota, isPolicyRejection, isRetryable, retryAfterMs } from "./classify";

export type BreakerState = "closed" | "open" | "half-open";

export interface PolicyOptions {
    /** Per attempt; aggressive, so a client that ignores its abort signal still returns on time. */
    timeoutMs: number;
    /** Attempts after the first, for retryable errors only. */
    maxRetries: number;
    /** First backoff delay; later ones grow exponentially with decorrelated jitter. */
    initialDelayMs: number;
    maxDelayMs: number;
    /** Consecutive failed attempts that open the breaker. */
    breakerThreshold: number;
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

/** The request's own deadline fired: the dependency is not to blame, so neither retry nor breaker counts it. */
export class CallerAbortedError extends Error {
    constructor(readonly dependency: string, cause: unknown) {
        super(`${dependency}: request deadline reached`, { cause });
        this.name = "CallerAbortedError";
    }
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
    // Our own deadline, our own rejections and an exhausted quota are not the dependency being down.
    const breaker = circuitBreaker(
        handleWhen((error) => !(error instanceof CallerAbortedError) && !isPolicyRejection(error) && !isPermanentQuota(error)),
        { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.breakerThreshold) },
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
                try {
                    return await attemptTimeout.execute((attempt) => fn(attempt.signal), context.signal);
                } catch (error) {
                    // Checked here, inside the breaker, so that our own deadline is never held against the dependency.
                    throw signal.aborted ? new CallerAbortedError(name, error) : error;
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
