import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RegionHealth } from "../../app/src/health/service";
import { LlmStandIn } from "./support/llm-stand-in";
import { ask, eventually, getJson, startWithProviders, stopWithProviders, type TestService } from "./support/service";

describe("LLM fallback chain: primary, secondary, extractive", () => {
    const openai = new LlmStandIn("openai");
    const anthropic = new LlmStandIn("anthropic");
    let service: TestService;

    before(async () => {
        // Long enough that a busy machine cannot let the breaker half-open in the middle of
        // the fail-fast checks; the half-open test waits it out.
        service = await startWithProviders([openai, anthropic], { BREAKER_HALF_OPEN_MS: "2000" });
    });

    after(() => stopWithProviders(service, [openai, anthropic]));

    it("answers from the primary when it is healthy, grounded in the retrieved passages", async () => {
        const { status, body } = await ask(service.url, "What does the replication factor set?");
        assert.equal(status, 200);
        assert.equal(body.answeredBy, "openai");
        assert.match(body.answer, /^openai says: What does the replication factor set\?/);
        assert.deepEqual(body.degraded, []);
        assert.equal(body.sources[0].id, "qdrant-replication");
        // The real OpenAI client sent the passages to the provider.
        assert.match(JSON.stringify(openai.requests.at(-1)?.body), /replication factor sets how many copies/);
        assert.equal(openai.requests.at(-1)?.headers.authorization, "Bearer openai-test-key");
        const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
        assert.match(metrics, /llm_calls_total\{provider="openai",outcome="success"\} 1/);
        assert.match(metrics, /llm_tokens_total\{provider="openai",kind="input"\} 11/);
        assert.match(metrics, /llm_tokens_total\{provider="openai",kind="output"\} 7/);
        assert.match(metrics, /llm_call_duration_seconds_count\{provider="openai"\} 1/);
    });

    it("does not retry a non-retryable error (400) and falls back to the secondary", async () => {
        openai.mode = { kind: "status", status: 400 };
        const before = openai.calls();
        const { body } = await ask(service.url, "How does DNS failover work?");
        assert.equal(body.answeredBy, "anthropic");
        assert.deepEqual(body.degraded, ["llm-primary:openai"]);
        assert.equal(openai.calls() - before, 1);
        assert.equal(anthropic.requests.at(-1)?.headers["x-api-key"], "anthropic-test-key");
        openai.mode = { kind: "ok" };
        await eventually(async () => (await ask(service.url, "reset")).body.answeredBy === "openai", "primary answers again");
    });

    it("retries a 5xx, opens the primary's breaker at its threshold, then fails fast without calling it", async () => {
        openai.mode = { kind: "status", status: 503 };
        const before = openai.calls();
        const first = await ask(service.url, "What does the replication factor set?");
        assert.equal(first.body.answeredBy, "anthropic");
        assert.deepEqual(first.body.degraded, ["llm-primary:openai"]);
        assert.equal(openai.calls() - before, 2, "one attempt and one retry");
        // Threshold 3 consecutive failures: the second request's first attempt opens it, and its retry is refused.
        await ask(service.url, "What does the replication factor set?");
        assert.equal(openai.calls() - before, 3);
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.body.components["llm-primary:openai"].breaker, "open");
        const callsWhenOpen = openai.calls();
        for (let i = 0; i < 5; i++) {
            const { body } = await ask(service.url, "What does the replication factor set?");
            assert.equal(body.answeredBy, "anthropic");
            assert.deepEqual(body.degraded, ["llm-primary:openai"]);
        }
        assert.equal(openai.calls(), callsWhenOpen, "an open breaker must not call the provider");
        const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
        assert.match(metrics, /circuit_breaker_state\{dependency="llm:openai"\} 2/);
        assert.match(metrics, /llm_calls_total\{provider="openai",outcome="rejected"\} [1-9]/);
    });

    it("keeps /health and /readyz green while an LLM provider is down (shared by every region)", async () => {
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.status, 200);
        assert.equal(health.body.status, "degraded");
        assert.equal(health.body.components["llm-primary:openai"].status, "down");
        assert.equal((await getJson(`${service.url}/readyz`)).status, 200);
    });

    it("half-opens after its pause and closes again when the provider is back", async () => {
        openai.mode = { kind: "ok" };
        await eventually(async () => {
            const { body } = await ask(service.url, "What does the replication factor set?");
            return body.answeredBy === "openai" && body.degraded.length === 0;
        }, "the primary answers after half-open");
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.body.components["llm-primary:openai"].breaker, "closed");
        assert.equal(health.body.status, "ok");
    });

    it("times out a primary that hangs and answers from the secondary", async () => {
        openai.mode = { kind: "hold" };
        const { body } = await ask(service.url, "How does DNS failover work?");
        assert.equal(body.answeredBy, "anthropic");
        assert.deepEqual(body.degraded, ["llm-primary:openai"]);
        openai.release();
        openai.mode = { kind: "ok" };
        await eventually(async () => (await ask(service.url, "reset")).body.answeredBy === "openai", "primary answers again");
    });

    it("answers extractively from the passages when both providers are down", async () => {
        openai.mode = { kind: "status", status: 500 };
        anthropic.mode = { kind: "status", status: 529 };
        const { status, body } = await ask(service.url, "What does the replication factor set?");
        assert.equal(status, 200);
        assert.equal(body.answeredBy, "extractive");
        assert.deepEqual(body.degraded, ["llm-primary:openai", "llm-secondary:anthropic"]);
        assert.match(body.answer, /replication factor sets how many copies/);
        assert.equal(body.sources[0].id, "qdrant-replication");
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.status, 200, "the region still serves: extractive answers");
    });

    it("falls back when the primary refuses connections", async () => {
        anthropic.mode = { kind: "ok" };
        openai.mode = { kind: "ok" };
        await eventually(async () => (await ask(service.url, "reset")).body.answeredBy === "openai", "primary answers again");
        await openai.stop();
        const { body } = await ask(service.url, "How does DNS failover work?");
        assert.equal(body.answeredBy, "anthropic");
        assert.deepEqual(body.degraded, ["llm-primary:openai"]);
    });
});

describe("Google as the secondary provider", () => {
    const openai = new LlmStandIn("openai");
    const google = new LlmStandIn("google");
    let service: TestService;

    before(async () => {
        service = await startWithProviders([openai, google]);
    });

    after(() => stopWithProviders(service, [openai, google]));

    it("answers through the real Google client when the primary fails", async () => {
        openai.mode = { kind: "status", status: 502 };
        const { body } = await ask(service.url, "Who answers now?");
        assert.equal(body.answeredBy, "google");
        assert.match(body.answer, /^google says: Who answers now\?/);
        assert.deepEqual(body.degraded, ["llm-primary:openai"]);
        assert.match(google.requests.at(-1)?.path ?? "", /:generateContent/);
        assert.equal(google.requests.at(-1)?.headers["x-goog-api-key"], "google-test-key");
    });
});

describe("the per-request deadline bounds the whole chain", () => {
    const openai = new LlmStandIn("openai");
    const anthropic = new LlmStandIn("anthropic");
    let service: TestService;

    before(async () => {
        // The per-attempt timeout is far longer than the request's deadline. One counted failure
        // of one call opens a breaker here, so "the deadline was not counted" is a claim that
        // can fail: the last two cases show the same breaker opening on one real failure.
        service = await startWithProviders([openai, anthropic], {
            LLM_TIMEOUT_MS: "20000",
            ASK_DEADLINE_MS: "800",
            BREAKER_MIN_CALLS: "1",
            BREAKER_FAILURE_RATE_PERCENT: "50",
            BREAKER_HALF_OPEN_MS: "300",
        });
    });

    after(() => stopWithProviders(service, [openai, anthropic]));

    it("gives a hanging primary half the deadline and the secondary the rest", async () => {
        openai.mode = { kind: "hold" };
        const { status, body } = await ask(service.url, "What does the replication factor set?");
        assert.equal(status, 200);
        assert.equal(body.answeredBy, "anthropic");
        assert.deepEqual(body.degraded, ["llm-primary:openai"]);
        assert.equal(openai.calls(), 1, "no retry once the primary's share has passed");
        // Our own deadline is not the provider's fault: its breaker has counted nothing.
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.body.components["llm-primary:openai"].breaker, "closed");
    });

    it("cuts both providers at the deadline and answers extractively", async () => {
        anthropic.mode = { kind: "hold" };
        const { status, body } = await ask(service.url, "What does the replication factor set?");
        assert.equal(status, 200);
        assert.equal(body.answeredBy, "extractive");
        assert.deepEqual(body.degraded, ["llm-primary:openai", "llm-secondary:anthropic"]);
        assert.match(body.answer, /replication factor sets how many copies/);
        assert.equal(openai.calls(), 2);
        assert.equal(anthropic.calls(), 2);
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.body.components["llm-primary:openai"].breaker, "closed");
        assert.equal(health.body.components["llm-secondary:anthropic"].breaker, "closed");
    });

    it("counts a real provider failure: the same breaker opens on one", async () => {
        openai.release();
        anthropic.release();
        openai.mode = { kind: "status", status: 503 };
        anthropic.mode = { kind: "ok" };
        const { body } = await ask(service.url, "What does the replication factor set?");
        assert.equal(body.answeredBy, "anthropic");
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.body.components["llm-primary:openai"].breaker, "open");
    });

    it("a half-open trial cut by the deadline proves nothing: the breaker stays open", async () => {
        openai.mode = { kind: "hold" };
        await new Promise((resolve) => setTimeout(resolve, 400)); // past the 300 ms pause: the next call is the trial
        const before = openai.calls();
        const { body } = await ask(service.url, "What does the replication factor set?");
        assert.equal(body.answeredBy, "anthropic");
        assert.equal(openai.calls() - before, 1, "the trial call reached the provider");
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.body.components["llm-primary:openai"].breaker, "open");
        openai.release();
    });
});
