import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LlmStandIn } from "./support/llm-stand-in";
import { ask, eventually, startWithProviders, stopWithProviders, type AskResponse, type TestService } from "./support/service";

describe("overload: the LLM bulkhead sheds load instead of queueing without bound", () => {
    const openai = new LlmStandIn("openai");
    let service: TestService;

    before(async () => {
        service = await startWithProviders([openai], {
            LLM_MAX_CONCURRENCY: "2",
            LLM_QUEUE_SIZE: "1",
            // Held calls must outlive the test's own waiting, not time out into the fallback.
            LLM_TIMEOUT_MS: "20000",
            ASK_DEADLINE_MS: "30000",
        });
    });

    after(() => stopWithProviders(service, [openai]));

    it("runs 2, queues 1, and answers the rest 429 with Retry-After at once", async () => {
        openai.mode = { kind: "hold" };
        const settled: AskResponse[] = [];
        const pending = Array.from({ length: 7 }, (_, i) =>
            ask(service.url, `question ${i}`).then((r) => {
                settled.push(r);
                return r;
            }),
        );
        // Only the two running calls reach the provider; the rejected four come back while they are held.
        await eventually(async () => openai.heldCount === 2 && settled.length === 4, "2 held calls and 4 rejections");
        for (const response of settled) {
            assert.equal(response.status, 429);
            assert.ok(Number(response.headers.get("retry-after")) >= 1);
            assert.match(String(response.body.message), /too many concurrent answers/);
        }
        openai.mode = { kind: "ok" };
        openai.release();
        const all = await Promise.all(pending);
        assert.deepEqual(all.map((r) => r.status).sort(), [200, 200, 200, 429, 429, 429, 429]);
        assert.equal(openai.calls(), 3, "the queued request ran after a slot freed; no rejected one did");
        const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
        assert.match(metrics, /load_shed_requests_total 4/);
    });

    it("serves normally once the burst is over", async () => {
        const { status, body } = await ask(service.url, "calm again?");
        assert.equal(status, 200);
        assert.equal(body.answeredBy, "openai");
    });
});
