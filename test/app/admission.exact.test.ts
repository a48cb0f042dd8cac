import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import type { FastifyReply, FastifyRequest } from "fastify";
import { TaskCancelledError } from "cockatiel";
import { admissionHook, AdmissionLimit } from "../../app/src/resilience/admission";
import { HttpError, OverloadedError } from "../../app/src/resilience/errors";
import { LoadShedder } from "../../app/src/resilience/load-shedder";

/**
 * Admission to the expensive routes and the LLM bulkhead, value by value: capacity, queue, FIFO
 * order, who leaves the queue, what the hook holds for how long, and the 429 each sheds with.
 */

const never = new AbortController().signal;
const tick = () => new Promise((resolve) => setImmediate(resolve));

/** What the hook reads of a request and a reply: its route and the raw response's "close". */
function exchange(method: string, url: string | undefined) {
    const raw = new EventEmitter();
    // The hook reads only these fields; a whole Fastify request and reply are not needed to judge it.
    const request = { method, routeOptions: { url } } as unknown as FastifyRequest;
    const reply = { raw } as unknown as FastifyReply;
    return { request, reply, close: () => raw.emit("close") };
}

/** Runs the hook as Fastify would (`this` is the instance, unused by it). */
function enter(hook: ReturnType<typeof admissionHook>, e: ReturnType<typeof exchange>): Promise<unknown> {
    return (hook as unknown as (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>)(e.request, e.reply);
}

describe("admission limit (exact)", () => {
    it("admits up to capacity at once, queues up to queueSize, sheds the rest with the limit's 429", async () => {
        let shed = 0;
        const limit = new AdmissionLimit("questions", 2, 2, 7, () => shed++);
        const held = [await limit.acquire(never), await limit.acquire(never)];
        assert.equal(limit.inFlight, 2);
        const waiting = [limit.acquire(never), limit.acquire(never)];
        assert.equal(limit.queued, 2);
        assert.equal(shed, 0);
        await assert.rejects(limit.acquire(never), (error: unknown) => {
            assert.ok(error instanceof OverloadedError);
            assert.deepEqual([error.statusCode, error.retryAfterSeconds, error.message], [429, 7, "too many concurrent questions; retry later"]);
            return true;
        });
        assert.equal(shed, 1);
        assert.equal(limit.queued, 2);
        for (const release of held) release();
        for (const release of await Promise.all(waiting)) release();
        assert.equal(limit.inFlight, 0);
        assert.equal(limit.queued, 0);
    });

    it("with no queue, sheds as soon as the slots are taken", async () => {
        const limit = new AdmissionLimit("ingests", 1, 0, 1);
        const release = await limit.acquire(never);
        await assert.rejects(limit.acquire(never), OverloadedError);
        assert.equal(limit.queued, 0);
        release();
        (await limit.acquire(never))();
    });

    it("admits waiters first come, first served, one per released slot; a release counts once", async () => {
        const limit = new AdmissionLimit("questions", 1, 3, 1);
        const first = await limit.acquire(never);
        const order: string[] = [];
        const waiters = ["a", "b", "c"].map((name) => limit.acquire(never).then((release) => (order.push(name), release)));
        first();
        first();
        await tick();
        assert.deepEqual(order, ["a"]);
        assert.equal(limit.inFlight, 1);
        assert.equal(limit.queued, 2);
        (await waiters[0]!)();
        await tick();
        assert.deepEqual(order, ["a", "b"]);
        (await waiters[1]!)();
        (await waiters[2]!)();
        assert.deepEqual(order, ["a", "b", "c"]);
        assert.equal(limit.inFlight, 0);
    });

    it("a waiter that leaves takes only its own place, first in the queue or not", async () => {
        const limit = new AdmissionLimit("questions", 1, 3, 1);
        const running = await limit.acquire(never);
        const leaving = [new AbortController(), new AbortController()];
        const first = limit.acquire(leaving[0]!.signal);
        const staying = limit.acquire(never);
        const third = limit.acquire(leaving[1]!.signal);
        leaving[0]!.abort(new Error("first client gone"));
        await assert.rejects(first, /first client gone/);
        assert.equal(limit.queued, 2);
        leaving[1]!.abort(new Error("third client gone"));
        await assert.rejects(third, /third client gone/);
        assert.equal(limit.queued, 1);
        running();
        (await staying)();
        assert.equal(limit.inFlight, 0);
    });

    it("a waiter admitted before its client leaves keeps its slot until it releases it", async () => {
        const limit = new AdmissionLimit("questions", 1, 1, 1);
        const running = await limit.acquire(never);
        const client = new AbortController();
        const waiting = limit.acquire(client.signal);
        running();
        const release = await waiting;
        client.abort(new Error("gone after admission"));
        assert.equal(limit.inFlight, 1);
        assert.equal(limit.queued, 0);
        release();
        assert.equal(limit.inFlight, 0);
    });

    it("a request whose client is already gone takes nothing and is not counted as shed", async () => {
        let shed = 0;
        const limit = new AdmissionLimit("questions", 1, 1, 1, () => shed++);
        const gone = new AbortController();
        gone.abort(new Error("already gone"));
        await assert.rejects(limit.acquire(gone.signal), /already gone/);
        assert.deepEqual([limit.inFlight, limit.queued, shed], [0, 0, 0]);
    });

    it("sheds every request while saturated, free slots or not, and admits again once it is not", async () => {
        let shed = 0;
        let saturated = true;
        const limit = new AdmissionLimit("questions", 4, 4, 2, () => shed++, () => saturated);
        await assert.rejects(limit.acquire(never), (error: unknown) => error instanceof OverloadedError && error.retryAfterSeconds === 2 && error.message === "too many concurrent questions; retry later");
        assert.deepEqual([shed, limit.inFlight], [1, 0]);
        saturated = false;
        (await limit.acquire(never))();
        assert.equal(shed, 1);
    });
});

describe("admission hook (exact)", () => {
    it("holds a slot of the route's limit from the request until its response closes", async () => {
        const ask = new AdmissionLimit("questions", 1, 1, 1);
        const hook = admissionHook(new Map([["POST /v1/ask", ask]]));
        const first = exchange("POST", "/v1/ask");
        await enter(hook, first);
        assert.equal(ask.inFlight, 1);
        const second = exchange("POST", "/v1/ask");
        const entering = enter(hook, second);
        await tick();
        assert.equal(ask.queued, 1);
        first.close();
        await entering;
        assert.deepEqual([ask.inFlight, ask.queued], [1, 0]);
        second.close();
        assert.equal(ask.inFlight, 0);
    });

    it("leaves other routes and methods alone, and routes without a URL", async () => {
        const ask = new AdmissionLimit("questions", 1, 0, 1);
        const hook = admissionHook(new Map([["POST /v1/ask", ask]]));
        await enter(hook, exchange("POST", "/v1/ask"));
        for (const [method, url] of [["GET", "/v1/ask"], ["POST", "/v1/documents"], ["POST", undefined]] as const) {
            assert.equal(await enter(hook, exchange(method, url)), undefined, `${method} ${url}`);
        }
        assert.equal(ask.inFlight, 1);
    });

    it("answers a full route 429 with the limit's error", async () => {
        const ask = new AdmissionLimit("questions", 1, 0, 3);
        const hook = admissionHook(new Map([["POST /v1/ask", ask]]));
        await enter(hook, exchange("POST", "/v1/ask"));
        await assert.rejects(enter(hook, exchange("POST", "/v1/ask")), (error: unknown) => error instanceof OverloadedError && error.retryAfterSeconds === 3);
    });

    it("a queued request whose connection closes leaves the queue with 499", async () => {
        const ask = new AdmissionLimit("questions", 1, 1, 1);
        const hook = admissionHook(new Map([["POST /v1/ask", ask]]));
        await enter(hook, exchange("POST", "/v1/ask"));
        const queued = exchange("POST", "/v1/ask");
        const entering = enter(hook, queued);
        queued.close();
        await assert.rejects(entering, (error: unknown) => {
            assert.ok(error instanceof HttpError);
            assert.deepEqual([error.statusCode, error.name, error.message], [499, "ClientGoneError", "the client closed the connection while the request was queued"]);
            return true;
        });
        assert.deepEqual([ask.inFlight, ask.queued], [1, 0]);
    });

    it("a request admitted in the same turn its connection closes gives the slot back", async () => {
        const ask = new AdmissionLimit("questions", 1, 1, 1);
        const hook = admissionHook(new Map([["POST /v1/ask", ask]]));
        const first = exchange("POST", "/v1/ask");
        await enter(hook, first);
        const second = exchange("POST", "/v1/ask");
        const entering = enter(hook, second);
        await tick();
        first.close(); // admits the second...
        second.close(); // ...whose client leaves before the hook resumes
        await entering;
        assert.deepEqual([ask.inFlight, ask.queued], [0, 0]);
    });
});

describe("LLM load shedder (exact)", () => {
    it("runs up to capacity, queues up to queueSize, answers the rest 429 and counts it", async () => {
        let rejected = 0;
        const shedder = new LoadShedder(1, 1, 4, () => rejected++);
        let free!: () => void;
        const running = shedder.run(() => new Promise<string>((resolve) => (free = () => resolve("first"))), never);
        const queued = shedder.run(async () => "second", never);
        await assert.rejects(shedder.run(async () => "third", never), (error: unknown) => {
            assert.ok(error instanceof OverloadedError);
            assert.deepEqual([error.statusCode, error.retryAfterSeconds, error.message], [429, 4, "too many concurrent answers; retry later"]);
            return true;
        });
        assert.equal(rejected, 1);
        free();
        assert.deepEqual(await Promise.all([running, queued]), ["first", "second"]);
    });

    it("passes other failures through untouched and uncounted", async () => {
        let rejected = 0;
        const shedder = new LoadShedder(1, 0, 1, () => rejected++);
        const failure = new Error("provider down");
        await assert.rejects(shedder.run(async () => Promise.reject(failure), never), (error: unknown) => error === failure);
        assert.equal(rejected, 0);
    });

    it("a caller whose signal fired while queued is never run", async () => {
        const shedder = new LoadShedder(1, 1, 1);
        let free!: () => void;
        const running = shedder.run(() => new Promise<void>((resolve) => (free = resolve)), never);
        const caller = new AbortController();
        let ran = false;
        const queued = shedder.run(async () => (ran = true), caller.signal);
        caller.abort();
        free();
        await running;
        await assert.rejects(queued, TaskCancelledError);
        assert.equal(ran, false);
    });
});
