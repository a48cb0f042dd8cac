import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrokenCircuitError, BulkheadRejectedError, TaskCancelledError, type IBackoff, type IBackoffFactory, type IRetryBackoffContext } from "cockatiel";
import { InvalidInputError } from "../../app/src/resilience/errors";
import {
    CallerAbortedError,
    countsAgainstDependency,
    createDependencyPolicy,
    passthroughPolicy,
    RetryAfterBackoff,
    type BreakerState,
    type PolicyOptions,
} from "../../app/src/resilience/policy";

/**
 * One dependency's guard, value by value: what it retries and how often, how long it waits, when
 * its breaker opens and half-opens, and what it never holds against the dependency.
 */

const OPTIONS: PolicyOptions = {
    timeoutMs: 5_000,
    maxRetries: 0,
    initialDelayMs: 1,
    maxDelayMs: 1,
    failureRate: 0.5,
    windowMs: 5_000,
    minCalls: 4,
    halfOpenAfterMs: 60_000,
};
const never = new AbortController().signal;
const unavailable = () => Object.assign(new Error("Service Unavailable"), { status: 503 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `policy` once with `fn`; returns how many attempts ran and the error, if any. */
async function attempts(policy: ReturnType<typeof createDependencyPolicy>, fail: (attempt: number) => unknown): Promise<{ count: number; error?: unknown; at: number[] }> {
    let count = 0;
    const at: number[] = [];
    const started = performance.now();
    try {
        await policy.execute(async () => {
            at.push(performance.now() - started);
            const failure = fail(count++);
            if (failure !== undefined) throw failure;
            return "ok";
        }, never);
        return { count, at };
    } catch (error) {
        return { count, error, at };
    }
}

describe("what a breaker holds against its dependency (exact)", () => {
    it("a real failure counts; our deadline, our own refusals, an exhausted quota and bad input do not", () => {
        assert.equal(countsAgainstDependency(unavailable()), true);
        assert.equal(countsAgainstDependency(new TaskCancelledError("attempt timed out")), true);
        assert.equal(countsAgainstDependency(new CallerAbortedError("llm", new Error("x"))), false);
        assert.equal(countsAgainstDependency(new BrokenCircuitError()), false);
        assert.equal(countsAgainstDependency(new BulkheadRejectedError(1, 0)), false);
        assert.equal(countsAgainstDependency(Object.assign(new Error("x"), { status: 429, code: "insufficient_quota" })), false);
        assert.equal(countsAgainstDependency(new InvalidInputError("too deep")), false);
        assert.equal(countsAgainstDependency(Object.assign(new Error("x"), { status: 422 })), false);
    });

    it("CallerAbortedError names the dependency and keeps the cause", () => {
        const cause = new Error("aborted");
        const error = new CallerAbortedError("llm:openai", cause);
        assert.deepEqual([error.name, error.message, error.cause, error.dependency, error.duringTrial], ["CallerAbortedError", "llm:openai: request deadline reached", cause, "llm:openai", false]);
        assert.equal(new CallerAbortedError("x", cause, true).duringTrial, true);
    });
});

describe("retries (exact)", () => {
    it("retries a retryable failure maxRetries times, then gives up with its error", async () => {
        const policy = createDependencyPolicy("store", { ...OPTIONS, maxRetries: 2 });
        const failure = unavailable();
        const { count, error } = await attempts(policy, () => failure);
        assert.equal(count, 3);
        assert.equal(error, failure);
        assert.deepEqual(await attempts(createDependencyPolicy("store", { ...OPTIONS, maxRetries: 2 }), (n) => (n < 2 ? unavailable() : undefined)).then((r) => r.count), 3);
    });

    it("never retries what will fail again", async () => {
        for (const failure of [Object.assign(new Error("Unauthorized"), { status: 401 }), new InvalidInputError("bad"), Object.assign(new Error("x"), { status: 429, code: "insufficient_quota" })]) {
            const { count, error } = await attempts(createDependencyPolicy("store", { ...OPTIONS, maxRetries: 2 }), () => failure);
            assert.equal(count, 1, String(failure));
            assert.equal(error, failure);
        }
    });

    it("waits at least the provider's retry-after, and gives up at once past maxRetryAfterMs", async () => {
        const asked = (ms: number) => Object.assign(new Error("Too Many Requests"), { status: 429, headers: { "retry-after-ms": String(ms) } });
        const waited = await attempts(createDependencyPolicy("llm", { ...OPTIONS, maxRetries: 1, maxRetryAfterMs: 300 }), (n) => (n === 0 ? asked(300) : undefined));
        assert.equal(waited.count, 2, "a retry-after of exactly maxRetryAfterMs is waited for");
        // Well above the 1 ms backoff; a few ms below 300 because a timer counts from the loop's cached clock.
        assert.ok(waited.at[1]! - waited.at[0]! >= 250, `retried after ${waited.at[1]! - waited.at[0]!} ms`);
        const over = await attempts(createDependencyPolicy("llm", { ...OPTIONS, maxRetries: 1, maxRetryAfterMs: 300 }), () => asked(301));
        assert.equal(over.count, 1);
        // Without maxRetryAfterMs the attempt's timeout is the limit.
        assert.equal((await attempts(createDependencyPolicy("llm", { ...OPTIONS, maxRetries: 1, timeoutMs: 200 }), (n) => (n === 0 ? asked(201) : undefined))).count, 1);
        assert.equal((await attempts(createDependencyPolicy("llm", { ...OPTIONS, maxRetries: 1, timeoutMs: 200 }), (n) => (n === 0 ? asked(20) : undefined))).count, 2);
    });

    it("an attempt that outlives timeoutMs is cut, even when it ignores its signal, and retried", async () => {
        const policy = createDependencyPolicy("llm", { ...OPTIONS, timeoutMs: 50, maxRetries: 1 });
        let calls = 0;
        await assert.rejects(
            policy.execute(() => {
                calls++;
                return new Promise<never>(() => undefined);
            }, never),
            TaskCancelledError,
        );
        assert.equal(calls, 2);
    });

    it("passes each attempt a signal that fires at its timeout", async () => {
        const policy = createDependencyPolicy("llm", { ...OPTIONS, timeoutMs: 50 });
        let seen: AbortSignal | undefined;
        await assert.rejects(
            policy.execute(async (signal) => {
                seen = signal;
                await new Promise((resolve) => signal.addEventListener("abort", resolve));
                throw signal.reason;
            }, never),
        );
        assert.equal(seen?.aborted, true);
    });

    it("the caller's own deadline is neither retried nor counted: CallerAbortedError", async () => {
        const policy = createDependencyPolicy("llm", { ...OPTIONS, maxRetries: 3, minCalls: 1 });
        const caller = new AbortController();
        let calls = 0;
        const failure = unavailable();
        const run = policy.execute(async () => {
            calls++;
            caller.abort(new Error("deadline"));
            throw failure;
        }, caller.signal);
        await assert.rejects(run, (error: unknown) => error instanceof CallerAbortedError && error.cause === failure && error.dependency === "llm" && !error.duringTrial);
        assert.equal(calls, 1);
        assert.equal(policy.state(), "closed");
    });
});

describe("the breaker (exact)", () => {
    it("opens above failureRate once the window holds minCalls attempts, and reports each state change", async () => {
        const changes: BreakerState[] = [];
        const policy = createDependencyPolicy("store", OPTIONS, (state) => changes.push(state));
        for (let i = 0; i < 3; i++) await attempts(policy, () => unavailable());
        assert.equal(policy.state(), "closed", "three attempts, under minCalls (4) in a 5 s window");
        await attempts(policy, () => unavailable());
        assert.equal(policy.state(), "open");
        assert.deepEqual(changes, ["open"]);
        const refused = await attempts(policy, () => undefined);
        assert.equal(refused.count, 0, "an open breaker does not call the dependency");
        assert.ok(refused.error instanceof BrokenCircuitError);
    });

    it("stays closed at exactly failureRate", async () => {
        const policy = createDependencyPolicy("store", { ...OPTIONS, minCalls: 2, windowMs: 2_000 });
        for (const fails of [false, true, false, true, false, true]) await attempts(policy, () => (fails ? unavailable() : undefined));
        assert.equal(policy.state(), "closed");
    });

    it("minCalls is counted over windowMs: 2 in a 2 s window opens on the second failure", async () => {
        const policy = createDependencyPolicy("store", { ...OPTIONS, minCalls: 2, windowMs: 2_000 });
        await attempts(policy, () => unavailable());
        assert.equal(policy.state(), "closed");
        await attempts(policy, () => unavailable());
        assert.equal(policy.state(), "open");
    });

    it("half-opens after halfOpenAfterMs, closes on a successful trial and re-opens on a failed one", async () => {
        const changes: BreakerState[] = [];
        const policy = createDependencyPolicy("store", { ...OPTIONS, minCalls: 1, halfOpenAfterMs: 100 }, (state) => changes.push(state));
        await attempts(policy, () => unavailable());
        assert.equal(policy.state(), "open");
        assert.equal((await attempts(policy, () => undefined)).count, 0, "still open before halfOpenAfterMs");
        await sleep(150);
        const trial = await attempts(policy, () => unavailable());
        assert.equal(trial.count, 1);
        assert.equal(policy.state(), "open");
        await sleep(150);
        assert.equal((await attempts(policy, () => undefined)).count, 1);
        assert.equal(policy.state(), "closed");
        assert.deepEqual(changes, ["open", "half-open", "open", "half-open", "closed"]);
    });

    it("a half-open trial cut by the caller's deadline is a CallerAbortedError marked as a trial", async () => {
        const policy = createDependencyPolicy("llm", { ...OPTIONS, minCalls: 1, halfOpenAfterMs: 50 });
        await attempts(policy, () => unavailable());
        await sleep(80);
        const caller = new AbortController();
        await assert.rejects(
            policy.execute(async () => {
                caller.abort(new Error("deadline"));
                throw new Error("aborted");
            }, caller.signal),
            (error: unknown) => error instanceof CallerAbortedError && error.duringTrial,
        );
        assert.equal(policy.state(), "open");
    });
});

describe("retry-after backoff (exact)", () => {
    type Context = IRetryBackoffContext<unknown>;
    /** A backoff of the given durations, one per step. */
    const steps = (durations: number[]): IBackoffFactory<Context> => ({
        next: () => ({ duration: durations[0]!, next: () => steps(durations.slice(1)).next(undefined as unknown as Context) }),
    });
    const failed = (error: Error): Context => ({ attempt: 1, signal: never, result: { error } });
    const hinted = (ms: number) => Object.assign(new Error("slow down"), { headers: { "retry-after-ms": String(ms) } });

    it("waits the longer of its own step and the provider's hint, step after step", () => {
        const backoff = new RetryAfterBackoff(steps([100, 200, 300]));
        const first: IBackoff<Context> = backoff.next(failed(hinted(150)));
        assert.equal(first.duration, 150);
        const second = first.next(failed(hinted(50)));
        assert.equal(second.duration, 200);
        assert.equal(second.next(failed(new Error("no hint"))).duration, 300);
        assert.equal(new RetryAfterBackoff(steps([100])).next({ attempt: 1, signal: never, result: { value: "ok" } }).duration, 100);
    });
});

describe("passthrough policy (exact)", () => {
    it("calls the function with the caller's signal, always closed", async () => {
        const policy = passthroughPolicy();
        let seen: AbortSignal | undefined;
        assert.equal(await policy.execute(async (signal) => ((seen = signal), 7), never), 7);
        assert.equal(seen, never);
        assert.equal(policy.state(), "closed");
    });
});
