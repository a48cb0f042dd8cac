import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RegionHealth } from "../../app/src/health/service";
import { ChaosProxy } from "./support/chaos-proxy";
import { QdrantStandIn } from "./support/qdrant-stand-in";
import { ask, eventually, getJson, postJson, SAMPLE_DOCUMENTS, startService, type TestService } from "./support/service";

/** Qdrant behind a chaos proxy; the sample documents are ingested before any chaos starts. */
async function startBehindProxy(env: Record<string, string>): Promise<{ qdrant: QdrantStandIn; proxy: ChaosProxy; service: TestService }> {
    const qdrant = await new QdrantStandIn().start();
    const proxy = await new ChaosProxy(() => qdrant.url).start();
    const service = await startService({ QDRANT_URL: proxy.url, QDRANT_COLLECTION: "docs", QDRANT_API_KEY: "qdrant-test-key", ...env });
    const ingested = await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS });
    assert.equal(ingested.status, 200);
    return { qdrant, proxy, service };
}

async function stopAll(parts: { qdrant: QdrantStandIn; proxy: ChaosProxy; service: TestService }): Promise<void> {
    parts.proxy.release();
    await parts.service.shutdown();
    await parts.proxy.stop();
    await parts.qdrant.stop();
}

const clusterInfo = (path: string) => /^\/collections\/docs\/cluster/.test(path);
const pointQuery = (path: string) => path.startsWith("/collections/docs/points/query");
const QUESTION = "When does DNS answer with the secondary region?";

describe("region health: a slow store is degraded, not down", () => {
    let parts: Awaited<ReturnType<typeof startBehindProxy>>;

    before(async () => {
        // The production per-attempt timeout (2 s) and slowness threshold (500 ms).
        parts = await startBehindProxy({ VECTOR_TIMEOUT_MS: "2000", HEALTH_SLOW_MS: "500" });
    });

    after(() => stopAll(parts));

    it("a store answering every call in 1 s keeps /health at 200, degraded and saying it is slow, while asks use it", async () => {
        parts.proxy.delayMs = 1000;
        const health = await getJson<RegionHealth>(`${parts.service.adminUrl}/health`);
        assert.equal(health.status, 200);
        assert.equal(health.body.status, "degraded");
        assert.equal(health.body.components.vectorstore.status, "degraded");
        assert.match(health.body.components.vectorstore.detail, /slow/);
        const { status, body } = await ask(parts.service.url, QUESTION);
        assert.equal(status, 200);
        assert.equal(body.sources[0]?.id, "dns-failover");
        assert.ok(!body.degraded.includes("vectorstore"));
        parts.proxy.delayMs = 0;
    });

    it("a store slower than /health may wait still leaves it 200 (degraded) while the probe runs", async () => {
        // 1.8 s: inside the 2 s attempt timeout, past the 1.5 s /health waits.
        parts.proxy.delayMs = 1800;
        const health = await getJson<RegionHealth>(`${parts.service.adminUrl}/health`);
        assert.equal(health.status, 200);
        assert.equal(health.body.components.vectorstore.status, "degraded");
        assert.match(health.body.components.vectorstore.detail, /slow/);
        parts.proxy.delayMs = 0;
        // Let that probe end before the next test counts calls.
        await eventually(async () => (await getJson<RegionHealth>(`${parts.service.adminUrl}/health`)).body.status === "ok", "fast again");
    });
});

describe("region health: probes are shared, not one store call per health check", () => {
    let parts: Awaited<ReturnType<typeof startBehindProxy>>;

    before(async () => {
        parts = await startBehindProxy({ HEALTH_CACHE_MS: "60000" });
    });

    after(() => stopAll(parts));

    it("50 concurrent health checks make one store call, and later ones reuse its verdict", async () => {
        parts.proxy.delayMs = 200;
        const before = parts.qdrant.count((r) => clusterInfo(r.path));
        const answers = await Promise.all(Array.from({ length: 50 }, () => getJson<RegionHealth>(`${parts.service.adminUrl}/health`)));
        assert.ok(answers.every((a) => a.status === 200));
        for (let i = 0; i < 10; i++) assert.equal((await getJson(`${parts.service.url}/health`)).status, 200);
        assert.equal(parts.qdrant.count((r) => clusterInfo(r.path)) - before, 1);
    });
});

describe("region health: 30 % of store calls failing", () => {
    let parts: Awaited<ReturnType<typeof startBehindProxy>>;

    before(async () => {
        // The production breaker and retries: more than 50 % of at least 20 attempts in 30 s opens
        // it for 30 s; 2 retries.
        parts = await startBehindProxy({
            BREAKER_FAILURE_RATE_PERCENT: "50",
            BREAKER_MIN_CALLS: "20",
            BREAKER_WINDOW_MS: "30000",
            BREAKER_HALF_OPEN_MS: "30000",
            MAX_RETRIES: "2",
        });
    });

    after(() => stopAll(parts));

    it("keeps most answers on the knowledge base and /health at 200", async () => {
        parts.proxy.applies = (r) => pointQuery(r.path) || clusterInfo(r.path);
        parts.proxy.kindOf = (r) => (clusterInfo(r.path) ? "probe" : "query");
        parts.proxy.failureRate = 0.3;
        // Ten asks at a time: concurrent traffic is what made runs of consecutive failures common.
        const rounds = 20;
        const perRound = 10;
        let fromKnowledgeBase = 0;
        let healthy = 0;
        let polls = 0;
        for (let i = 0; i < rounds; i++) {
            const answers = await Promise.all(Array.from({ length: perRound }, () => ask(parts.service.url, QUESTION)));
            fromKnowledgeBase += answers.filter((a) => a.status === 200 && !a.body.degraded.includes("vectorstore") && a.body.sources.length > 0).length;
            for (let j = 0; j < 3; j++, polls++) if ((await getJson(`${parts.service.url}/health`)).status === 200) healthy++;
        }
        // The store really failed about 30 % of the calls made to it.
        const failedQueries = parts.proxy.injected.get("query") ?? 0;
        const queries = parts.qdrant.count((r) => pointQuery(r.path)) + failedQueries;
        assert.ok(failedQueries / queries > 0.2, `${failedQueries} of ${queries} queries failed`);
        assert.ok(fromKnowledgeBase >= 0.9 * rounds * perRound, `${fromKnowledgeBase} of ${rounds * perRound} answers used the knowledge base`);
        // A probe fails only when all three of its attempts do (2.7 % at 30 %); Route53 needs three failed checks in a row.
        assert.ok(healthy >= 0.9 * polls, `/health was 200 in ${healthy} of ${polls} polls`);
        const health = await getJson<RegionHealth>(`${parts.service.adminUrl}/health`);
        assert.equal(health.body.components.vectorstore.breaker, "closed");
        parts.proxy.failureRate = 0;
    });
});

describe("region health: a store that really fails", () => {
    let parts: Awaited<ReturnType<typeof startBehindProxy>>;

    before(async () => {
        parts = await startBehindProxy({ BREAKER_FAILURE_RATE_PERCENT: "50", BREAKER_MIN_CALLS: "10", BREAKER_WINDOW_MS: "30000", BREAKER_HALF_OPEN_MS: "250" });
    });

    after(() => stopAll(parts));

    it("opens the request breaker on a sustained failure rate, and /health says 503 so DNS can fail over", async () => {
        parts.proxy.failureRate = 1;
        for (let i = 0; i < 10; i++) await ask(parts.service.url, QUESTION);
        const health = await getJson<RegionHealth>(`${parts.service.adminUrl}/health`);
        assert.equal(health.status, 503);
        assert.equal(health.body.status, "down");
        assert.equal(health.body.components.vectorstore.status, "down");
        assert.equal(health.body.components.vectorstore.breaker, "open");
        assert.ok(!health.body.answerPaths.includes("extractive"));
    });

    it("/health recovers as soon as the store answers, without waiting for the breaker", async () => {
        parts.proxy.failureRate = 0;
        const health = await getJson<RegionHealth>(`${parts.service.adminUrl}/health`);
        assert.equal(health.status, 200);
        await eventually(async () => (await ask(parts.service.url, QUESTION)).body.sources?.length > 0, "answers use the store again");
    });
});

/** Metadata nested 10,000 levels deep: JSON.stringify of it throws a RangeError. */
function deepMetadata(levels = 10_000): Record<string, unknown> {
    const root: Record<string, unknown> = {};
    let node = root;
    for (let i = 0; i < levels; i++) {
        const child: Record<string, unknown> = {};
        node.a = child;
        node = child;
    }
    return root;
}

describe("bad input is never a dependency failure: the deep-metadata attack", () => {
    let service: TestService;

    before(async () => {
        service = await startService({});
        assert.equal((await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS })).status, 200);
    });

    after(() => service.shutdown());

    it("over HTTP: every attempt is refused 4xx, the breaker stays closed and /health 200", async () => {
        // Sent as text: JSON.stringify of the body itself would throw here.
        const body = `{"documents":[{"id":"deep","text":"attack","metadata":${'{"a":'.repeat(10_000)}{}${"}".repeat(10_000)}}]}`;
        for (let i = 0; i < 25; i++) {
            const response = await postJson(`${service.url}/v1/documents`, body);
            assert.ok(response.status >= 400 && response.status < 500, `answered ${response.status}`);
        }
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.status, 200);
        assert.equal(health.body.components.vectorstore.breaker, "closed");
        const { body: answer } = await ask(service.url, QUESTION);
        assert.equal(answer.sources[0]?.id, "dns-failover");
    });

    it("on the store path itself (no request schema in the way): 400 for the client, nothing counted against the store", async () => {
        for (let i = 0; i < 25; i++) {
            await assert.rejects(service.services.ingest.ingest([{ id: "deep", text: "attack", metadata: deepMetadata() }]), (error: { statusCode?: number }) => {
                assert.equal(error.statusCode, 400);
                return true;
            });
        }
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.status, 200);
        assert.equal(health.body.components.vectorstore.breaker, "closed");
        const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
        assert.doesNotMatch(metrics, /vector_queries_total\{store="embedded",operation="upsert",outcome="error"\}/);
    });
});
