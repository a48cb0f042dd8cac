import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { loadConfig } from "../../app/src/config";
import type { RegionHealth } from "../../app/src/health/service";
import { LlmStandIn, standInEmbedding } from "./support/llm-stand-in";
import { spawnServer } from "./support/process";
import { QdrantStandIn } from "./support/qdrant-stand-in";
import { ask, eventually, freshDataDir, getJson, postJson, SAMPLE_DOCUMENTS, startService, type TestService } from "./support/service";

/** A document the paraphrase below shares no word with: only the dense vectors can find it. */
const CAR = { id: "car-battery", text: "The car would not start in the morning: its battery was flat after a cold night." };
const PARAPHRASE = "Why does my automobile refuse to crank? Dead accumulator?";
const LEXICAL = "What does the replication factor of a shard set?";
const DOCUMENTS = [...SAMPLE_DOCUMENTS, CAR];

const sourcesOf = (body: { sources?: Array<{ id: string }> }) => (body.sources ?? []).map((s) => s.id);

describe("hybrid retrieval in the embedded store, dense vectors from OpenAI's embeddings API", () => {
    const openai = new LlmStandIn("openai");
    let service: TestService;

    before(async () => {
        await openai.start();
        // Breakers stay open 2 s: long enough to see one spare the provider on a busy machine, short enough to see it close.
        service = await startService({ ...openai.embeddingsEnv("text-embedding-3-small", 8), BREAKER_HALF_OPEN_MS: "2000" });
        assert.equal((await postJson(`${service.url}/v1/documents`, { documents: DOCUMENTS })).status, 200);
    });

    after(async () => {
        await service.shutdown();
        await openai.stop();
    });

    it("finds a paraphrase that shares no word with the document, and ranks it first", async () => {
        const { status, body } = await ask(service.url, PARAPHRASE);
        assert.equal(status, 200);
        assert.equal(sourcesOf(body)[0], "car-battery");
        assert.deepEqual(body.degraded, [], "the provider answered (its key also makes it the LLM): nothing degraded");
        const embedded = openai.requests.filter((r) => r.path === "/v1/embeddings").at(-1)?.body as { model: string; dimensions: number; input: string[] };
        assert.deepEqual([embedded.model, embedded.dimensions], ["text-embedding-3-small", 8]);
    });

    it("still ranks by shared words where the dense side has nothing to say", async () => {
        const { body } = await ask(service.url, LEXICAL);
        assert.equal(sourcesOf(body)[0], "qdrant-replication");
    });

    it("/health names the dense space and the fusion", async () => {
        const { body } = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(body.components.embeddings.status, "ok");
        assert.match(body.components.embeddings.detail, /^dense openai\/text-embedding-3-small\/8 \+ sparse lexical, fused by reciprocal rank/);
    });

    it("provider down: answers on sparse vectors alone and says degraded embeddings; ingestion continues, marked", async () => {
        openai.embeddingsMode = { kind: "status", status: 503 };
        try {
            const lexical = await ask(service.url, LEXICAL);
            assert.equal(lexical.status, 200);
            assert.deepEqual(lexical.body.degraded, ["embeddings"]);
            assert.equal(sourcesOf(lexical.body)[0], "qdrant-replication", "the lexical path still answers");

            const paraphrase = await ask(service.url, PARAPHRASE);
            assert.equal(paraphrase.status, 200);
            assert.ok(paraphrase.body.degraded.includes("embeddings"));
            assert.ok(!sourcesOf(paraphrase.body).includes("car-battery"), "without dense vectors the paraphrase is out of reach");

            const ingested = await postJson(`${service.url}/v1/documents`, { documents: [{ id: "invoices", text: "Every invoice is archived for ten years." }] });
            assert.equal(ingested.status, 200);
            assert.deepEqual(ingested.body.degraded, ["embeddings"]);
            const found = await ask(service.url, "How long is an invoice archived?");
            assert.equal(sourcesOf(found.body)[0], "invoices", "stored with its sparse vector, found at once");

            const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
            assert.equal(health.status, 200, "the embedding provider never fails the region");
            assert.equal(health.body.components.embeddings.status, "degraded");
            assert.match(health.body.components.embeddings.detail, /breaker open: sparse only meanwhile/);
            const calls = openai.embeddingCalls();
            await ask(service.url, LEXICAL);
            assert.equal(openai.embeddingCalls(), calls, "the open breaker spares the provider");
        } finally {
            openai.embeddingsMode = { kind: "ok" };
        }
        await eventually(async () => !(await ask(service.url, PARAPHRASE)).body.degraded.includes("embeddings"), "the breaker closes again");
        assert.equal(sourcesOf((await ask(service.url, PARAPHRASE)).body)[0], "car-battery");
    });
});

describe("hybrid retrieval with Google's embedContent and batchEmbedContents", () => {
    const google = new LlmStandIn("google");
    let service: TestService;

    before(async () => {
        await google.start();
        service = await startService(google.embeddingsEnv("gemini-embedding-001", 128));
        assert.equal((await postJson(`${service.url}/v1/documents`, { documents: DOCUMENTS })).status, 200);
    });

    after(async () => {
        await service.shutdown();
        await google.stop();
    });

    it("embeds documents in a batch and the question alone, at the configured width, and finds the paraphrase", async () => {
        const { body } = await ask(service.url, PARAPHRASE);
        assert.equal(sourcesOf(body)[0], "car-battery");
        const batch = google.requests.find((r) => r.path.includes(":batchEmbedContents"))?.body as { requests: Array<{ outputDimensionality: number }> };
        assert.equal(batch.requests.length, DOCUMENTS.length);
        assert.ok(batch.requests.every((r) => r.outputDimensionality === 128));
        assert.ok(google.requests.some((r) => r.path === "/v1beta/models/gemini-embedding-001:embedContent"));
    });

    it("a batch answered with an error is the provider failing, not empty vectors stored", async () => {
        google.embeddingsMode = { kind: "status", status: 500 };
        try {
            const ingested = await postJson(`${service.url}/v1/documents`, { documents: [{ id: "refunds", text: "A refund is paid within 14 days." }] });
            assert.equal(ingested.status, 200);
            assert.deepEqual(ingested.body.degraded, ["embeddings"]);
        } finally {
            google.embeddingsMode = { kind: "ok" };
        }
    });
});

describe("no embedding provider configured (the embedded default)", () => {
    let service: TestService;

    before(async () => {
        service = await startService({});
        assert.equal((await postJson(`${service.url}/v1/documents`, { documents: DOCUMENTS })).status, 200);
    });

    after(async () => service.shutdown());

    it("retrieves on sparse vectors, says so in /health, and does not call it degraded", async () => {
        const { body } = await ask(service.url, LEXICAL);
        assert.equal(sourcesOf(body)[0], "qdrant-replication");
        assert.deepEqual(body.degraded, ["llm:not-configured"]);
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.body.components.embeddings.status, "ok");
        assert.equal(health.body.components.embeddings.detail, "sparse lexical only (no embedding provider configured)");
        assert.ok(!sourcesOf((await ask(service.url, PARAPHRASE)).body).includes("car-battery"));
    });
});

describe("Qdrant: named dense + sparse vectors, prefetch + fusion, a model change through the alias", () => {
    const qdrant = new QdrantStandIn();
    const openai = new LlmStandIn("openai");
    // One data folder for both instances: the journal the store's position refers to stays the same across the restart.
    const dataDir = freshDataDir();
    const env = (model: string, dimensions: number) => ({ DATA_DIR: dataDir, QDRANT_URL: qdrant.url, QDRANT_COLLECTION: "docs", ...openai.embeddingsEnv(model, dimensions) });

    before(async () => {
        await qdrant.start();
        await openai.start();
    });

    after(async () => {
        await qdrant.stop();
        await openai.stop();
    });

    it("stores both vectors per point and queries with a prefetch on each, fused by rrf", async () => {
        const service = await startService(env("text-embedding-3-small", 8));
        try {
            assert.equal((await postJson(`${service.url}/v1/documents`, { documents: DOCUMENTS })).status, 200);
            const name = "docs_openai_text-embedding-3-small_8";
            assert.equal(qdrant.aliases.get("docs"), name);
            const created = qdrant.collectionWrites(name)[0].body as { vectors: unknown; sparse_vectors: unknown };
            assert.deepEqual(created.vectors, { dense: { size: 8, distance: "Cosine" } });
            assert.deepEqual(created.sparse_vectors, { sparse: { modifier: "idf" } });
            const point = qdrant.collection("docs")?.points.get([...qdrant.collection("docs")!.points.keys()][0]);
            const vector = point?.vector as Record<string, number[] | { indices: number[] }>;
            assert.equal((vector.dense as number[]).length, 8);
            assert.ok((vector.sparse as { indices: number[] }).indices.length > 0);

            const { body } = await ask(service.url, PARAPHRASE);
            assert.equal(sourcesOf(body)[0], "car-battery");
            const query = qdrant.requests.filter((r) => r.path === "/collections/docs/points/query").at(-1)?.body as {
                prefetch: Array<{ using: string; limit: number }>;
                query: unknown;
                limit: number;
            };
            assert.deepEqual(query.prefetch.map((p) => p.using), ["dense", "sparse"]);
            assert.ok(query.prefetch.every((p) => p.limit > query.limit), "each side brings more candidates than the answer needs");
            assert.deepEqual(query.query, { fusion: "rrf" });

            openai.embeddingsMode = { kind: "status", status: 503 };
            const degraded = await ask(service.url, LEXICAL);
            openai.embeddingsMode = { kind: "ok" };
            assert.ok(degraded.body.degraded.includes("embeddings"));
            assert.equal(sourcesOf(degraded.body)[0], "qdrant-replication");
            const sparseOnly = qdrant.requests.filter((r) => r.path === "/collections/docs/points/query").at(-1)?.body as { using: string; prefetch?: unknown };
            assert.deepEqual([sparseOnly.using, sparseOnly.prefetch], ["sparse", undefined]);
        } finally {
            await service.shutdown();
        }
    });

    it("a new model fills its own collection from the stored text, then the alias switches to it; the old one is kept", async () => {
        const old = "docs_openai_text-embedding-3-small_8";
        const fresh = "docs_openai_text-embedding-3-large_16";
        openai.embeddingsMode = { kind: "hold" }; // the fill waits for the provider: the alias must not move before it is done
        // A short timeout: the held provider fails the fill attempts (and the questions' embeddings) quickly.
        const service = await startService({ ...env("text-embedding-3-large", 16), EMBEDDINGS_TIMEOUT_MS: "300" });
        try {
            // First contact (here the health probe) finds the alias on another space's collection and starts the fill.
            await eventually(async () => (await getJson(`${service.url}/health`)).status > 0 && qdrant.collections.has(fresh) && openai.heldCount > 0, "the new collection is being filled");
            const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
            assert.match(health.body.components.vectorstore.detail, new RegExp(`filling ${fresh} from ${old}$`));
            assert.equal(qdrant.aliases.get("docs"), old, "reads stay on the old collection while the new one fills");
            const during = await ask(service.url, LEXICAL);
            assert.equal(sourcesOf(during.body)[0], "qdrant-replication", "served from the old collection meanwhile");
            const late = { id: "late", text: "A refund is paid within 14 days of the request." };
            assert.equal((await postJson(`${service.url}/v1/documents`, { documents: [late] })).status, 200);
            const inBoth = [old, fresh].map((name) => [...qdrant.collections.get(name)!.points.values()].some((p) => p.payload.doc_id === "late"));
            assert.deepEqual(inBoth, [true, true], "a write during the fill lands in both collections");
            openai.embeddingsMode = { kind: "ok" };
            openai.release();
            await eventually(async () => qdrant.aliases.get("docs") === fresh, "the alias points at the new collection", 200);

            const points = [...qdrant.collections.get(fresh)!.points.values()];
            assert.equal(points.length, DOCUMENTS.length + 1);
            for (const point of points.filter((p) => p.payload.doc_id !== "late")) {
                const dense = (point.vector as Record<string, number[]>).dense;
                const text = String(point.payload.text);
                assert.deepEqual(dense.map((v) => Math.fround(v)), standInEmbedding(text, 16).map((v) => Math.fround(v)), "re-embedded from the stored text");
            }
            assert.equal(qdrant.collections.get(old)?.points.size, DOCUMENTS.length + 1, "the old collection is left for an operator to delete");
            assert.ok(
                qdrant.collectionWrites(old).length === 1 && qdrant.collectionWrites(fresh).length === 1,
                "no collection was recreated",
            );
            const { body } = await ask(service.url, PARAPHRASE);
            assert.equal(sourcesOf(body)[0], "car-battery");
            assert.deepEqual(body.degraded, []);
        } finally {
            openai.embeddingsMode = { kind: "ok" };
            openai.release();
            await service.shutdown();
        }
    });
});

describe("the embedding model is checked with the provider at start", () => {
    const openai = new LlmStandIn("openai");
    before(async () => {
        await openai.start();
    });
    after(async () => openai.stop());

    it("an id the provider does not know stops the service with one line naming the variable", async () => {
        const child = spawnServer({ ...openai.embeddingsEnv("text-embedding-retired", 8), DATA_DIR: freshDataDir(), PORT: "0" });
        let stderr = "";
        child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
        const [code] = await once(child, "exit");
        assert.equal(code, 2);
        assert.equal(stderr.trim(), 'config error: EMBEDDINGS_MODEL: openai does not know the model "text-embedding-retired" (404); set a current model id');
        assert.ok(openai.requests.some((r) => r.method === "GET" && r.path === "/v1/models/text-embedding-retired"));
    });
});

describe("embedding settings", () => {
    const errorsOf = (env: Record<string, string>) => {
        const result = loadConfig(env);
        return result.ok ? [] : result.errors;
    };

    it("defaults to no provider; a provider alone takes its default model and width", () => {
        const none = loadConfig({});
        assert.ok(none.ok && none.config.embeddings === undefined);
        const openai = loadConfig({ EMBEDDINGS_PROVIDER: "openai", OPENAI_API_KEY: "k" });
        assert.ok(openai.ok);
        assert.deepEqual(openai.ok && [openai.config.embeddings?.model, openai.config.embeddings?.dimensions], ["text-embedding-3-small", 1536]);
        const google = loadConfig({ EMBEDDINGS_PROVIDER: "google", GOOGLE_API_KEY: "k", EMBEDDINGS_DIMENSIONS: "768" });
        assert.deepEqual(google.ok && [google.config.embeddings?.model, google.config.embeddings?.dimensions], ["gemini-embedding-001", 768]);
    });

    it("names the variable and the reason for each bad value", () => {
        assert.deepEqual(errorsOf({ EMBEDDINGS_PROVIDER: "cohere" }), ['EMBEDDINGS_PROVIDER: must be one of openai, google, none (got "cohere")']);
        assert.deepEqual(errorsOf({ EMBEDDINGS_PROVIDER: "openai" }), ["EMBEDDINGS_PROVIDER: openai needs OPENAI_API_KEY"]);
        assert.deepEqual(errorsOf({ EMBEDDINGS_PROVIDER: "openai", OPENAI_API_KEY: "k", EMBEDDINGS_DIMENSIONS: "2048" }), [
            "EMBEDDINGS_DIMENSIONS: text-embedding-3-small makes vectors of 1 to 1536 dimensions, not 2048",
        ]);
        assert.deepEqual(errorsOf({ EMBEDDINGS_PROVIDER: "openai", OPENAI_API_KEY: "k", EMBEDDINGS_MODEL: "gemini-embedding-001" }), [
            "EMBEDDINGS_MODEL: gemini-embedding-001 is a google model, not openai's",
        ]);
        assert.deepEqual(errorsOf({ EMBEDDINGS_PROVIDER: "google", GOOGLE_API_KEY: "k", EMBEDDINGS_MODEL: "my-tuned-model" }), [
            "EMBEDDINGS_DIMENSIONS: is required for my-tuned-model (its width is not known to this service)",
        ]);
        assert.deepEqual(errorsOf({ EMBEDDINGS_DIMENSIONS: "0" }), ['EMBEDDINGS_DIMENSIONS: must be at least 1 (got "0")']);
        assert.deepEqual(errorsOf({ EMBEDDINGS_MODEL: "text-embedding-3-large" }), ["EMBEDDINGS_MODEL: is set while EMBEDDINGS_PROVIDER is none; set EMBEDDINGS_PROVIDER too"]);
    });
});
