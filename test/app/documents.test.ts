import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RegionHealth } from "../../app/src/health/service";
import { ask, getJson, postJson, SAMPLE_DOCUMENTS, startService, type TestService } from "./support/service";

const storedChunks = async (adminUrl: string) => (await getJson<RegionHealth>(`${adminUrl}/health`)).body.components.vectorstore.detail;

describe("embedded mode: ingest and ask with no Qdrant and no API key", () => {
    let service: TestService;

    before(async () => {
        service = await startService({ BODY_LIMIT_BYTES: "4096", MAX_DOCUMENTS_PER_REQUEST: "3" });
    });

    after(async () => service.shutdown());

    it("ingests documents and answers extractively with their sources", async () => {
        const ingested = await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS });
        assert.equal(ingested.status, 200);
        assert.deepEqual(ingested.body, {
            documents: [
                { id: "qdrant-replication", chunks: 1 },
                { id: "dns-failover", chunks: 1 },
            ],
            chunks: 2,
        });
        const { status, body } = await ask(service.url, "How many copies does the replication factor set?");
        assert.equal(status, 200);
        assert.equal(body.answeredBy, "extractive");
        assert.deepEqual(body.degraded, ["llm:not-configured"]);
        assert.match(body.answer, /replication factor sets how many copies/);
        assert.equal(body.sources[0].id, "qdrant-replication");
        assert.equal(body.sources[0].chunk, 0);
        assert.ok(body.sources[0].score > 0);
    });

    it("re-ingesting the same documents changes nothing; a shorter version drops its old chunks", async () => {
        await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS });
        assert.equal(await storedChunks(service.adminUrl), "embedded, 2 chunks");
        const long = { id: "long", text: Array.from({ length: 80 }, (_, i) => `Sentence number ${i} about shards.`).join(" ") };
        const first = await postJson<{ chunks: number }>(`${service.url}/v1/documents`, { documents: [long] });
        assert.ok(first.body.chunks > 1);
        assert.equal(await storedChunks(service.adminUrl), `embedded, ${2 + first.body.chunks} chunks`);
        await postJson(`${service.url}/v1/documents`, { documents: [{ id: "long", text: "Now a single short sentence." }] });
        assert.equal(await storedChunks(service.adminUrl), "embedded, 3 chunks");
    });

    it("derives a stable id from the text when none is given", async () => {
        const doc = { text: "An anonymous note about backups to GCS." };
        const a = await postJson<{ documents: Array<{ id: string }> }>(`${service.url}/v1/documents`, { documents: [doc] });
        const b = await postJson<{ documents: Array<{ id: string }> }>(`${service.url}/v1/documents`, { documents: [doc] });
        assert.match(a.body.documents[0].id, /^sha256-[0-9a-f]{32}$/);
        assert.equal(a.body.documents[0].id, b.body.documents[0].id);
        assert.equal(await storedChunks(service.adminUrl), "embedded, 4 chunks");
    });

    const badRequests: Array<[string, string | object, number, RegExp]> = [
        ["malformed JSON", '{"documents": [', 400, /not valid JSON/],
        ["a missing documents field", { docs: [] }, 400, /must have required property 'documents'/],
        ["an empty documents list", { documents: [] }, 400, /must NOT have fewer than 1 items/],
        ["a document without text", { documents: [{ id: "x" }] }, 400, /must have required property 'text'/],
        ["text of the wrong type", { documents: [{ text: 42 }] }, 400, /documents\/0\/text must be string/],
        ["blank text", { documents: [{ text: "   " }] }, 400, /documents\/0\/text must match pattern/],
        ["metadata of the wrong type", { documents: [{ text: "t", metadata: "m" }] }, 400, /metadata must be object/],
        ["an unknown field", { documents: [{ text: "t", extra: 1 }] }, 400, /must NOT have additional properties/],
        ["too many documents", { documents: [{ text: "a" }, { text: "b" }, { text: "c" }, { text: "d" }] }, 400, /must NOT have more than 3 items/],
        ["a duplicated id", { documents: [{ id: "d", text: "a" }, { id: "d", text: "b" }] }, 400, /id "d" appears more than once/],
        ["an oversized body", { documents: [{ text: "x".repeat(5000) }] }, 413, /body is too large|Request body is too large/i],
    ];
    for (const [what, body, status, message] of badRequests) {
        it(`rejects ${what} with ${status} and a clear message, storing nothing`, async () => {
            const response = await postJson(`${service.url}/v1/documents`, body);
            assert.equal(response.status, status);
            assert.match(String(response.body.message), message);
            assert.equal(await storedChunks(service.adminUrl), "embedded, 4 chunks");
        });
    }

    it("rejects a bad question with 400", async () => {
        for (const body of [{}, { question: "" }, { question: 7 }, "[1,"]) {
            const response = await postJson(`${service.url}/v1/ask`, body);
            assert.equal(response.status, 400, JSON.stringify(body));
            assert.equal(response.body.error, "Bad Request");
        }
    });

    it("rejects a body in a media type it does not parse with 415", async () => {
        const response = await fetch(`${service.url}/v1/ask`, { method: "POST", headers: { "content-type": "application/xml" }, body: "<q/>" });
        assert.equal(response.status, 415);
    });

    it("answers 404 for an unknown route, in the same error shape", async () => {
        const response = await getJson(`${service.url}/v2/nothing`);
        assert.equal(response.status, 404);
        assert.deepEqual(Object.keys(response.body).sort(), ["error", "message", "requestId"]);
    });

    it("keeps the documents across a restart (persisted under DATA_DIR)", async () => {
        const first = await startService({});
        try {
            assert.equal((await postJson(`${first.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS })).status, 200);
        } finally {
            await first.shutdown();
        }
        const again = await startService({ DATA_DIR: first.dataDir });
        try {
            const { body } = await ask(again.url, "When does DNS answer with the secondary region?");
            assert.equal(body.sources[0].id, "dns-failover");
        } finally {
            await again.shutdown();
        }
    });

    it("exports the request, vector and degradation metrics in Prometheus format", async () => {
        const response = await fetch(`${service.adminUrl}/metrics`);
        assert.match(response.headers.get("content-type") ?? "", /^text\/plain/);
        const text = await response.text();
        assert.match(text, /http_requests_total\{method="POST",route="\/v1\/ask",status="200"\} \d+/);
        assert.match(text, /http_request_errors_total\{method="POST",route="\/v1\/documents",status="400"\} \d+/);
        assert.match(text, /http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/ask"\}/);
        assert.match(text, /vector_queries_total\{store="embedded",operation="query",outcome="success"\} \d+/);
        assert.match(text, /vector_query_duration_seconds_count\{store="embedded",operation="upsert"\} \d+/);
        assert.match(text, /degraded_answers_total\{component="llm:not-configured"\} \d+/);
        assert.match(text, /circuit_breaker_state\{dependency="vectorstore"\} 0/);
    });
});
