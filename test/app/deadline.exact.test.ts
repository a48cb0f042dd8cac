import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, it, mock } from "node:test";
import { Deadline } from "../../app/src/resilience/deadline";
import { EventLoopLag } from "../../app/src/resilience/event-loop-lag";

/** A request's time budget and the event loop's lag: what fires when, and what is left behind. */

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const aborted = (signal: AbortSignal) => new Promise<unknown>((resolve) => signal.addEventListener("abort", () => resolve(signal.reason)));
const busy = (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until);
};

describe("request deadline (exact)", () => {
    it("fires its signal when the budget is spent, with what was spent", async () => {
        const deadline = new Deadline(30);
        assert.equal(deadline.signal.aborted, false);
        const reason = await aborted(deadline.signal);
        assert.ok(reason instanceof Error);
        assert.equal(reason.message, "deadline of 30 ms reached");
        assert.equal(deadline.remainingMs, 0);
        deadline.dispose();
    });

    it("leaves nothing once its signal has fired, even if the timer fired before the clock reached the end", () => {
        // libuv counts timers in whole milliseconds, so a real timer may fire just before
        // performance.now() reaches the end; mocked timers fire with no time passed at all.
        mock.timers.enable({ apis: ["setTimeout"] });
        try {
            const deadline = new Deadline(30);
            mock.timers.tick(30);
            assert.equal(deadline.signal.aborted, true);
            assert.equal(deadline.remainingMs, 0);
            deadline.dispose();
        } finally {
            mock.timers.reset();
        }
    });

    it("tells what is left: the whole budget at first, never more, never below zero", async () => {
        const deadline = new Deadline(60_000);
        const left = deadline.remainingMs;
        assert.ok(left > 50_000 && left <= 60_000, String(left));
        await sleep(20);
        assert.ok(deadline.remainingMs < left);
        deadline.dispose();
        const spent = new Deadline(1);
        await sleep(20);
        assert.equal(spent.remainingMs, 0);
        spent.dispose();
    });

    it("a share fires after its own time, rounded in its reason, while the deadline goes on", async () => {
        const deadline = new Deadline(60_000);
        const share = deadline.within(20.6);
        const reason = await aborted(share);
        assert.ok(reason instanceof Error);
        assert.equal(reason.message, "share of 21 ms reached");
        assert.equal(deadline.signal.aborted, false);
        deadline.dispose();
    });

    it("a share fires with the deadline's reason when the deadline comes first, or has passed", async () => {
        const deadline = new Deadline(20);
        const share = deadline.within(60_000);
        const reason = await aborted(share);
        assert.equal(reason, deadline.signal.reason);
        const late = deadline.within(60_000);
        assert.equal(late.aborted, true);
        assert.equal(late.reason, deadline.signal.reason);
        deadline.dispose();
    });

    it("dispose clears every timer: neither the deadline nor a share fires after it", async () => {
        const deadline = new Deadline(20);
        const share = deadline.within(10);
        deadline.dispose();
        await sleep(60);
        assert.equal(deadline.signal.aborted, false);
        assert.equal(share.aborted, false);
    });
});

describe("event loop lag (exact)", () => {
    it("reads zero until the first sample, how late the loop ran while blocked, and falls back once it catches up", async () => {
        const lag = new EventLoopLag(10);
        assert.equal(lag.ms, 0);
        await sleep(30);
        busy(300);
        await sleep(5);
        const blocked = lag.ms;
        assert.ok(blocked >= 250, `lag while blocked: ${blocked} ms`);
        await sleep(100);
        assert.ok(lag.ms < blocked, `lag once caught up: ${lag.ms} ms`);
        assert.ok(lag.ms >= 0);
        lag.stop();
    });

    it("an idle loop runs less late than one interval, from the first sample on", async () => {
        const lag = new EventLoopLag(1_000);
        await sleep(1_100);
        assert.ok(lag.ms < 1_000, `first sample: ${lag.ms} ms late`);
        await sleep(1_000);
        assert.ok(lag.ms < 1_000, `second sample: ${lag.ms} ms late`);
        lag.stop();
    });

    it("stops sampling once stopped", async () => {
        const lag = new EventLoopLag(10);
        await sleep(30);
        lag.stop();
        const before = lag.ms;
        busy(100);
        await sleep(30);
        assert.equal(lag.ms, before);
    });

    it("never keeps the process alive", () => {
        const module = path.join(__dirname, "..", "..", "app", "src", "resilience", "event-loop-lag.ts");
        const run = spawnSync(process.execPath, ["--import", "tsx", "-e", `new (require(${JSON.stringify(module)}).EventLoopLag)(10)`], { encoding: "utf8", timeout: 20_000 });
        assert.equal(run.status, 0, run.stderr);
    });
});
