import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ChaosProxy } from "./support/chaos-proxy";
import { LlmStandIn } from "./support/llm-stand-in";
import { QdrantStandIn } from "./support/qdrant-stand-in";
import {
    ask,
    eventually,
    getJson,
    postJson,
    SAMPLE_DOCUMENTS,
    startService,
    startWithProviders,
    stopWithProviders,
    type AskResponse,
    type TestService,
} from "./support/service";

/** Sends `count` requests at once; `settled` fills as they come back, `all` resolves with every answer. */
function burst<T>(count: number, send: (i: number) => Promise<T>): { settled: T[]; all: Promise<T[]> } {
    const settled: T[] = [];
    const all = Promise.all(
        Array.from({ length: count }, (_, i) =>
            send(i).then((r) => {
                settled.push(r);
                return r;
            }),
        ),
    );
    return { settled, all };
}

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
        const { settled, all: pending } = burst(7, (i) => ask(service.url, `question ${i}`));
        // Only the two running calls reach the provider; the rejected four come back while they are held.
        await eventually(async () => openai.heldCount === 2 && settled.length === 4, "2 held calls and 4 rejections");
        for (const response of settled) {
            assert.equal(response.status, 429);
            assert.ok(Number(response.headers.get("retry-after")) >= 1);
            assert.match(String(response.body.message), /too many concurrent answers/);
        }
        openai.mode = { kind: "ok" };
        openai.release();
        const all = await pending;
        assert.deepEqual(all.map((r) => r.status).sort(), [200, 200, 200, 429, 429, 429, 429]);
        assert.equal(openai.calls(), 3, "the queued request ran after a slot freed; no rejected one did");
        const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
        assert.match(metrics, /load_shed_requests_total\{limit="llm"\} 4/);
    });

    it("serves normally once the burst is over", async () => {
        const { status, body } = await ask(service.url, "calm again?");
        assert.equal(status, 200);
        assert.equal(body.answeredBy, "openai");
    });
});

describe("overload: every expensive route sheds load, the extractive path and ingestion included", () => {
    let qdrant: QdrantStandIn;
    let proxy: ChaosProxy;
    let service: TestService;

    before(async () => {
        qdrant = await new QdrantStandIn().start();
        proxy = await new ChaosProxy(() => qdrant.url).start();
        service = await startService({
            QDRANT_URL: proxy.url,
            QDRANT_COLLECTION: "docs",
            QDRANT_API_KEY: "qdrant-test-key",
            ASK_MAX_CONCURRENCY: "2",
            ASK_QUEUE_SIZE: "1",
            INGEST_MAX_CONCURRENCY: "1",
            INGEST_QUEUE_SIZE: "1",
            // Held store calls must outlive the test's own waiting, not time out.
            VECTOR_TIMEOUT_MS: "20000",
            ASK_DEADLINE_MS: "30000",
        });
        assert.equal((await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS })).status, 200);
    });

    after(async () => {
        proxy.release();
        await service.shutdown();
        await proxy.stop();
        await qdrant.stop();
    });

    it("asks without any LLM: runs 2, queues 1, answers the rest 429 with Retry-After at once", async () => {
        proxy.applies = (r) => r.path.startsWith("/collections/docs/points/query");
        proxy.hold = true;
        const { settled, all: pending } = burst(7, (i) => ask(service.url, `When does DNS answer with the secondary region? ${i}`));
        await eventually(async () => proxy.heldCount === 2 && settled.length === 4, "2 held store queries and 4 rejections");
        for (const response of settled) {
            assert.equal(response.status, 429);
            assert.ok(Number(response.headers.get("retry-after")) >= 1);
            assert.equal(response.body.message, "too many concurrent questions; retry later");
        }
        proxy.release();
        const all = await pending;
        assert.deepEqual(all.map((r) => r.status).sort(), [200, 200, 200, 429, 429, 429, 429]);
        assert.ok(all.filter((r) => r.status === 200).every((r) => r.body.answeredBy === "extractive" && r.body.sources.length > 0));
        const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
        assert.match(metrics, /load_shed_requests_total\{limit="ask"\} 4/);
    });

    it("ingests: runs 1, queues 1, answers the rest 429 with Retry-After, and none of those lands", async () => {
        proxy.applies = (r) => r.method === "PUT" && r.path.startsWith("/collections/docs_sparse/points");
        proxy.hold = true;
        const { settled, all: pending } = burst(5, (i) =>
            postJson(`${service.url}/v1/documents`, { documents: [{ id: `burst-${i}`, text: `burst document number ${i}` }] }),
        );
        await eventually(async () => proxy.heldCount === 1 && settled.length === 3, "1 held upsert and 3 rejections");
        for (const response of settled) {
            assert.equal(response.status, 429);
            assert.ok(Number(response.headers.get("retry-after")) >= 1);
            assert.equal(response.body.message, "too many concurrent ingests; retry later");
        }
        proxy.release();
        const all = await pending;
        assert.deepEqual(all.map((r) => r.status).sort(), [200, 200, 429, 429, 429]);
        const stored = [...(qdrant.collections.get("docs_sparse")?.points.values() ?? [])].map((p) => String(p.payload.doc_id)).filter((id) => id.startsWith("burst-"));
        assert.equal(stored.length, 2, "only the admitted ingests were written");
        const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
        assert.match(metrics, /load_shed_requests_total\{limit="ingest"\} 3/);
    });

    it("the probes are never shed: /livez, /readyz and /health answer while the routes are full", async () => {
        proxy.applies = (r) => r.path.startsWith("/collections/docs/points/query");
        proxy.hold = true;
        const pending = Array.from({ length: 6 }, () => ask(service.url, "anything held?"));
        await eventually(async () => proxy.heldCount === 2, "2 held store queries");
        assert.equal((await getJson(`${service.url}/livez`)).status, 200);
        assert.equal((await getJson(`${service.url}/readyz`)).status, 200);
        assert.equal((await getJson(`${service.url}/health`)).status, 200);
        proxy.release();
        await Promise.all(pending);
    });
});

describe("overload: CPU-bound work is shed on event-loop lag, which no concurrency limit sees", () => {
    let service: TestService;

    before(async () => {
        service = await startService({ SHED_EVENT_LOOP_DELAY_MS: "200" });
        // A busy machine can make the loop run late by itself: retried like any shed client would.
        await eventually(async () => (await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS })).status === 200, "ingested");
    });

    after(() => service.shutdown());

    /** Keeps this process (the service's too) busy, as a backlog of CPU-bound requests would. */
    const busy = (ms: number) => {
        const end = performance.now() + ms;
        while (performance.now() < end);
    };

    it("answers 429 with Retry-After while the loop runs late, and serves again once it catches up", async () => {
        let shed: AskResponse | undefined;
        for (let i = 0; i < 5 && !shed; i++) {
            const pending = ask(service.url, "When does DNS answer with the secondary region?");
            busy(600);
            const response = await pending;
            if (response.status === 429) shed = response;
        }
        assert.ok(shed, "no request was shed while the event loop ran 600 ms late");
        assert.ok(Number(shed.headers.get("retry-after")) >= 1);
        assert.equal(shed.body.message, "too many concurrent questions; retry later");
        await eventually(async () => (await ask(service.url, "When does DNS answer with the secondary region?")).status === 200, "served again");
    });
});
