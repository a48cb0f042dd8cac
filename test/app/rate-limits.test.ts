import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RegionHealth } from "../../app/src/health/service";
import { isPermanentQuota, retryAfterMs } from "../../app/src/resilience/classify";
import { LlmStandIn } from "./support/llm-stand-in";
import { ask, eventually, getJson, startWithProviders, stopWithProviders, type TestService } from "./support/service";

describe("provider rate limits and quotas", () => {
    const openai = new LlmStandIn("openai");
    const anthropic = new LlmStandIn("anthropic");
    let service: TestService;

    before(async () => {
        // Retry-after up to the 1 s attempt timeout is honoured; the breaker opens at 3.
        service = await startWithProviders([openai, anthropic], { MAX_RETRIES: "1", RETRY_INITIAL_DELAY_MS: "5" });
    });

    after(() => stopWithProviders(service, [openai, anthropic]));

    /** Back to a healthy primary with a closed breaker, so each case starts from the same state. */
    async function primaryAnswersAgain(): Promise<void> {
        openai.mode = { kind: "ok" };
        await eventually(async () => (await ask(service.url, "reset")).body.answeredBy === "openai", "primary answers again");
    }

    it("waits at least the provider's retry-after before the retry (not the 5 ms backoff)", async () => {
        openai.mode = { kind: "status", status: 429, retryAfterSeconds: 0.4 };
        const before = openai.calls();
        const started = performance.now();
        const { body } = await ask(service.url, "What does the replication factor set?");
        const elapsed = performance.now() - started;
        assert.equal(openai.calls() - before, 2, "one attempt and one retry");
        const [first, second] = openai.requests.filter((r) => r.method === "POST").slice(-2);
        assert.ok(first && second);
        assert.ok(elapsed >= 400, `the retry waited ${elapsed.toFixed(0)} ms in all`);
        assert.equal(body.answeredBy, "anthropic");
        await primaryAnswersAgain();
    });

    it("a retry-after longer than an attempt's timeout moves on to the next provider at once", async () => {
        openai.mode = { kind: "status", status: 429, retryAfterSeconds: 30 };
        const before = openai.calls();
        const started = performance.now();
        const { body } = await ask(service.url, "What does the replication factor set?");
        assert.equal(openai.calls() - before, 1, "no retry inside a 30 s limit window");
        assert.ok(performance.now() - started < 3_000);
        assert.equal(body.answeredBy, "anthropic");
        await primaryAnswersAgain();
    });

    it("an exhausted quota is not retried, not an outage for the breaker, and /health and metrics say so", async () => {
        openai.mode = { kind: "status", status: 429, quota: true };
        const before = openai.calls();
        for (let i = 0; i < 4; i++) {
            const { body } = await ask(service.url, "What does the replication factor set?");
            assert.equal(body.answeredBy, "anthropic");
        }
        assert.equal(openai.calls() - before, 4, "one call per request, no retries, and the breaker never opened");
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        const primary = health.body.components["llm-primary:openai"];
        assert.equal(primary.status, "down");
        assert.equal(primary.breaker, "closed");
        assert.match(primary.detail, /^quota exhausted since .* \(not an outage: add credit or raise the limit\)$/);
        assert.equal(health.status, 200, "an LLM quota never fails the region");
        const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
        assert.match(metrics, /llm_calls_total\{provider="openai",outcome="quota"\} 4/);
        openai.mode = { kind: "ok" };
        await ask(service.url, "What does the replication factor set?");
        assert.equal((await getJson<RegionHealth>(`${service.adminUrl}/health`)).body.components["llm-primary:openai"].status, "ok");
    });
});

describe("reading what providers say about waiting", () => {
    const withHeaders = (headers: Record<string, string>, status = 429) => Object.assign(new Error("limited"), { status, headers: new Headers(headers) });

    it("retry-after in seconds, as an HTTP date, retry-after-ms, and Google's RetryInfo", () => {
        assert.equal(retryAfterMs(withHeaders({ "retry-after": "7" })), 7_000);
        assert.equal(retryAfterMs(withHeaders({ "retry-after-ms": "250", "retry-after": "7" })), 250);
        const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
        const fromDate = retryAfterMs(withHeaders({ "retry-after": inTenSeconds }));
        assert.ok(fromDate !== undefined && fromDate > 8_000 && fromDate <= 10_000, String(fromDate));
        assert.equal(retryAfterMs({ status: 429, errorDetails: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "12s" }] }), 12_000);
        assert.equal(retryAfterMs(withHeaders({})), undefined);
    });

    it("tells a permanent quota 429 from a rate limit", () => {
        assert.equal(isPermanentQuota(Object.assign(new Error("429 You exceeded your current quota"), { status: 429, code: "insufficient_quota" })), true);
        assert.equal(isPermanentQuota(Object.assign(new Error("429 You have reached your specified workspace API usage limits."), { status: 429 })), true);
        assert.equal(isPermanentQuota(Object.assign(new Error("429 Rate limit reached for requests"), { status: 429, code: "rate_limit_exceeded" })), false);
        assert.equal(isPermanentQuota(Object.assign(new Error("insufficient_quota"), { status: 400 })), false);
    });
});
