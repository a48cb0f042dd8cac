import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isInputFault } from "../../app/src/resilience/classify";
import { AdmissionLimit } from "../../app/src/resilience/admission";
import { OverloadedError } from "../../app/src/resilience/errors";
import { createDependencyPolicy, type DependencyPolicy, type PolicyOptions } from "../../app/src/resilience/policy";

/** Rate breaker over 10 s; more than half of at least 10 attempts opens it; no retries, so one call is one attempt. */
const OPTIONS: PolicyOptions = {
    timeoutMs: 1000,
    maxRetries: 0,
    initialDelayMs: 1,
    maxDelayMs: 1,
    failureRate: 0.5,
    windowMs: 10_000,
    minCalls: 10,
    halfOpenAfterMs: 60_000,
};

const never = new AbortController().signal;
const networkError = () => new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6333"), { code: "ECONNREFUSED" }) });

/** The error `fn` throws; a test failure if it throws nothing. */
function thrownBy(fn: () => unknown): unknown {
    try {
        fn();
    } catch (error) {
        return error;
    }
    throw new Error("expected an error, none was thrown");
}

/** Runs one call per entry of `pattern` ("F" fails with `failure()`, "S" succeeds), ignoring outcomes. */
async function drive(policy: DependencyPolicy, pattern: string, failure: () => unknown = networkError): Promise<number> {
    let calls = 0;
    for (const outcome of pattern) {
        await policy
            .execute(async () => {
                calls++;
                if (outcome === "F") throw failure();
                return "ok";
            }, never)
            .catch(() => undefined);
    }
    return calls;
}

describe("failure-rate breakers", () => {
    it("stay closed at 30 % failures, however they cluster (a run of four failures included)", async () => {
        const policy = createDependencyPolicy("store", OPTIONS);
        const pattern = "SSSSFFFFSS" + "SFSSFSSFSS" + "FSSSFSSFSS" + "SSFSSSSSFS";
        assert.equal([...pattern].filter((c) => c === "F").length / pattern.length, 0.3);
        await drive(policy, pattern.repeat(2));
        assert.equal(policy.state(), "closed");
    });

    it("open on a sustained rate above the threshold, even without a run of three failures", async () => {
        const policy = createDependencyPolicy("store", OPTIONS);
        await drive(policy, "FFS".repeat(4));
        assert.equal(policy.state(), "open");
    });

    it("do not open below the minimum number of calls, even when every call fails", async () => {
        const policy = createDependencyPolicy("store", OPTIONS);
        await drive(policy, "F".repeat(9));
        assert.equal(policy.state(), "closed");
        await drive(policy, "F");
        assert.equal(policy.state(), "open");
    });

    it("never count the client's own bad input: serialization errors and content refusals", async () => {
        const deep: Record<string, unknown> = {};
        let node = deep;
        for (let i = 0; i < 10_000; i++) node = (node.a = {}) as Record<string, unknown>;
        const serializationError = thrownBy(() => JSON.stringify(deep));
        assert.ok(serializationError instanceof RangeError);
        const circular: Record<string, unknown> = {};
        circular.self = circular;
        const circularError = thrownBy(() => JSON.stringify(circular));
        assert.ok(circularError instanceof TypeError);
        for (const failure of [serializationError, circularError, Object.assign(new Error("Bad Request"), { status: 400 }), Object.assign(new Error("too large"), { status: 413 })]) {
            const policy = createDependencyPolicy("store", { ...OPTIONS, maxRetries: 2 });
            const calls = await drive(policy, "F".repeat(30), () => failure);
            assert.equal(policy.state(), "closed", String(failure));
            assert.equal(calls, 30, "not retried either");
        }
    });

    it("classify input faults apart from network failures that are TypeErrors too", () => {
        assert.equal(isInputFault(new RangeError("Maximum call stack size exceeded")), true);
        assert.equal(isInputFault(new TypeError("Converting circular structure to JSON")), true);
        assert.equal(isInputFault(new TypeError("Do not know how to serialize a BigInt")), true);
        assert.equal(isInputFault(Object.assign(new Error("Unprocessable"), { status: 422 })), true);
        assert.equal(isInputFault(networkError()), false);
        assert.equal(isInputFault(new TypeError("fetch failed")), false);
        assert.equal(isInputFault(Object.assign(new Error("Service Unavailable"), { status: 503 })), false);
        assert.equal(isInputFault(Object.assign(new Error("Unauthorized"), { status: 401 })), false);
        assert.equal(isInputFault(new Error("disk full")), false);
    });

    it("do not count the caller's own deadline, and a half-open trial it cuts leaves the breaker open", async () => {
        const policy = createDependencyPolicy("llm", { ...OPTIONS, minCalls: 1, halfOpenAfterMs: 30 });
        const hang = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
        for (let i = 0; i < 5; i++) {
            await assert.rejects(policy.execute(hang, AbortSignal.timeout(20)), { name: "CallerAbortedError" });
        }
        assert.equal(policy.state(), "closed", "five calls cut by the caller's deadline");
        await drive(policy, "F");
        assert.equal(policy.state(), "open", "one real failure of one call opens it: the check above could fail");
        await new Promise((resolve) => setTimeout(resolve, 50));
        await assert.rejects(policy.execute(hang, AbortSignal.timeout(20)), { name: "CallerAbortedError" });
        assert.equal(policy.state(), "open", "a trial that proved nothing must not close the breaker");
        await new Promise((resolve) => setTimeout(resolve, 50));
        await drive(policy, "S");
        assert.equal(policy.state(), "closed", "a trial that succeeds closes it");
    });
});

describe("admission limits", () => {
    it("run up to the capacity, queue up to the queue size, refuse the rest at once with 429", async () => {
        let shed = 0;
        const limit = new AdmissionLimit("questions", 2, 1, 1, () => shed++);
        const releases = await Promise.all([limit.acquire(never), limit.acquire(never)]);
        let queuedAdmitted = false;
        const queued = limit.acquire(never).then((release) => {
            queuedAdmitted = true;
            return release;
        });
        await assert.rejects(limit.acquire(never), (error: unknown) => {
            assert.ok(error instanceof OverloadedError);
            assert.equal(error.statusCode, 429);
            assert.equal(error.retryAfterSeconds, 1);
            assert.equal(error.message, "too many concurrent questions; retry later");
            return true;
        });
        assert.equal(shed, 1);
        assert.equal(queuedAdmitted, false);
        releases[0]();
        releases[0](); // releasing twice frees one slot only
        const third = await queued;
        assert.equal(limit.inFlight, 2);
        releases[1]();
        third();
        assert.equal(limit.inFlight, 0);
    });

    it("a waiter whose client leaves gives its queue place back at once", async () => {
        const limit = new AdmissionLimit("ingests", 1, 1, 1);
        const running = await limit.acquire(never);
        const gone = new AbortController();
        const leaving = limit.acquire(gone.signal);
        await assert.rejects(limit.acquire(never), OverloadedError);
        gone.abort(new Error("client gone"));
        await assert.rejects(leaving, /client gone/);
        assert.equal(limit.queued, 0);
        const next = limit.acquire(never);
        running();
        (await next)();
        assert.equal(limit.inFlight, 0);
    });
});
