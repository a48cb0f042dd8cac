import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { RegionHealth } from "../../app/src/health/service";
import type { ReplicationStatus } from "../../app/src/replication/service";
import type { SnapshotManifest } from "../../app/src/replication/snapshots";
import type { ChunkWithVector } from "../../app/src/vectorstore/types";
import { LlmStandIn } from "./support/llm-stand-in";
import { DEFAULT_QDRANT_IMAGE } from "../../infra/config/schema";
import { QdrantStandIn, STAND_IN_QDRANT_VERSION } from "./support/qdrant-stand-in";
import { ask, eventually, freshDataDir, getJson, postJson, SAMPLE_DOCUMENTS, startService, type TestService } from "./support/service";

const qdrantEnv = (qdrant: QdrantStandIn, extra: Record<string, string> = {}) => ({
    QDRANT_URL: qdrant.url,
    QDRANT_COLLECTION: "docs",
    QDRANT_REPLICATION_FACTOR: "3",
    QDRANT_WRITE_CONSISTENCY_FACTOR: "2",
    QDRANT_SHARD_NUMBER: "2",
    QDRANT_API_KEY: "qdrant-test-key",
    ...extra,
});

describe("Qdrant mode, through the real Qdrant client", () => {
    const qdrant = new QdrantStandIn();
    const openai = new LlmStandIn("openai");
    let service: TestService;

    before(async () => {
        await qdrant.start();
        await openai.start();
        service = await startService(qdrantEnv(qdrant, openai.envFor("primary")));
    });

    after(async () => {
        await service.shutdown();
        await qdrant.stop();
        await openai.stop();
    });

    it("creates the collection with the configured replication, write consistency and shards, behind the alias", async () => {
        const { status } = await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS });
        assert.equal(status, 200);
        const created = qdrant.collectionWrites("docs_sparse");
        assert.equal(created.length, 1);
        assert.deepEqual(created[0].body, {
            vectors: {},
            sparse_vectors: { sparse: { modifier: "idf" } },
            replication_factor: 3,
            write_consistency_factor: 2,
            shard_number: 2,
        });
        assert.equal(qdrant.aliases.get("docs"), "docs_sparse", "no embedding provider: the sparse-only collection");
        assert.equal(qdrant.collectionWrites("docs").length, 0, "the alias is not a collection");
        assert.equal(qdrant.collection("docs")?.points.size, 2);
        assert.equal(qdrant.collectionWrites("docs_meta").length, 1, "the replication position lives in a side collection");
        assert.equal((qdrant.collections.get("docs_meta")?.params as { replication_factor?: number }).replication_factor, 3);
        assert.ok(qdrant.requests.every((r) => r.headers["api-key"] === "qdrant-test-key"), "every call carries the API key");
    });

    it("re-ingesting is idempotent: the same point ids, no duplicates, no recreation", async () => {
        const { body } = await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS });
        assert.deepEqual(body, { documents: [{ id: "qdrant-replication", chunks: 1 }, { id: "dns-failover", chunks: 1 }], chunks: 2 });
        assert.equal(qdrant.collection("docs")?.points.size, 2);
        assert.equal(qdrant.collectionWrites("docs_sparse").length, 1);
    });

    it("answers with sources retrieved from Qdrant", async () => {
        const { status, body } = await ask(service.url, "When does DNS answer with the secondary region?");
        assert.equal(status, 200);
        assert.equal(body.answeredBy, "openai");
        assert.equal(body.sources[0].id, "dns-failover");
        assert.match(body.sources[0].passage, /Route53 health checks/);
        assert.ok(body.sources[0].score > 0);
    });

    it("reports the region healthy with the store's probe latency", async () => {
        const { status, body } = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(status, 200);
        assert.equal(body.status, "ok");
        assert.equal(body.components.vectorstore.status, "ok");
        assert.equal(typeof body.components.vectorstore.latencyMs, "number");
        assert.deepEqual(body.answerPaths, ["llm-primary:openai", "extractive"]);
    });

    it("store down: answers from the LLM alone and says so; /health fails; /livez and /readyz stay up", async () => {
        qdrant.mode = "error";
        const { status, body } = await ask(service.url, "When does DNS answer with the secondary region?");
        assert.equal(status, 200);
        assert.equal(body.answeredBy, "openai");
        assert.deepEqual(body.degraded, ["vectorstore"]);
        assert.deepEqual(body.sources, []);
        assert.match(body.answer, /^The knowledge base is unavailable/);
        assert.match(JSON.stringify(openai.requests.at(-1)?.body), /knowledge base is unavailable/);

        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.status, 503);
        assert.equal(health.body.status, "down");
        assert.equal(health.body.components.vectorstore.status, "down");
        assert.equal((await getJson(`${service.url}/livez`)).status, 200);
        assert.equal((await getJson(`${service.url}/readyz`)).status, 200);
    });

    it("store down: ingestion is refused with 503 and Retry-After, not half-done", async () => {
        const { status, headers, body } = await postJson(`${service.url}/v1/documents`, {
            documents: [{ id: "late", text: "written while the store is down" }],
        });
        assert.equal(status, 503);
        assert.ok(Number(headers.get("retry-after")) > 0);
        assert.match(String(body.message), /vector store is unavailable/);
        qdrant.mode = "ok";
    });

    it("a Raft election (leader 0) alone does not fail /health: reads and writes go to shard replicas", async () => {
        qdrant.mode = "election";
        const health = await healthAfterBreaker(service);
        assert.equal(health.status, 200);
        assert.equal(health.body.components.vectorstore.status, "ok");
        qdrant.mode = "ok";
    });

    it("a shard with no Active replica fails /health: the region cannot read it", async () => {
        qdrant.replicaStates = [["Active", "Active"], ["Dead", "Partial"], ["Active", "Dead"]];
        const health = await healthAfterBreaker(service);
        assert.equal(health.status, 503);
        assert.equal(health.body.components.vectorstore.detail, "shard(s) 1 have no Active replica");
    });

    it("a shard below the write consistency factor leaves /health 200 but degraded: reads still work", async () => {
        qdrant.replicaStates = [["Active", "Active"], ["Active", "Dead"], ["Active", "Active"]];
        const health = await healthAfterBreaker(service);
        assert.equal(health.status, 200);
        assert.equal(health.body.components.vectorstore.status, "degraded");
        assert.equal(health.body.components.vectorstore.detail, "qdrant, shard(s) 1 have fewer Active replicas than the write consistency factor 2");
        qdrant.replicaStates = [["Active", "Active"], ["Active", "Active"], ["Active", "Active"]];
    });
});

/** /health once the breaker, possibly open from an earlier outage, lets the probe itself run. */
async function healthAfterBreaker(service: TestService) {
    let health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
    for (let i = 0; i < 40 && health.body.components.vectorstore.detail === "breaker open"; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
    }
    return health;
}

describe("Qdrant mode: an existing collection is never recreated", () => {
    const qdrant = new QdrantStandIn();
    let service: TestService;

    before(async () => {
        await qdrant.start();
        qdrant.collections.set("docs_sparse", { params: { vectors: { size: 1536, distance: "Cosine" } }, points: new Map() });
        qdrant.collections.set("legacy", { params: { vectors: { size: 512, distance: "Cosine" } }, points: new Map() });
        service = await startService(qdrantEnv(qdrant));
    });

    after(async () => {
        await service.shutdown();
        await qdrant.stop();
    });

    it("reports a collection of the wrong vector shape instead of replacing it", async () => {
        const health = await getJson<RegionHealth>(`${service.adminUrl}/health`);
        assert.equal(health.status, 503);
        assert.match(health.body.components.vectorstore.detail, /collection docs_sparse has one unnamed vector of size 1536 and no sparse vector, the service needs no dense vector and a sparse one/);
        const ingest = await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS });
        assert.equal(ingest.status, 503);
        assert.equal(qdrant.collectionWrites("docs_sparse").length, 0);
        assert.deepEqual(qdrant.collections.get("docs_sparse")?.params.vectors, { size: 1536, distance: "Cosine" });
    });

    it("refuses a collection under the alias's name instead of reading or replacing it", async () => {
        const legacy = await startService(qdrantEnv(qdrant, { QDRANT_COLLECTION: "legacy" }));
        try {
            const health = await getJson<RegionHealth>(`${legacy.adminUrl}/health`);
            assert.equal(health.status, 503);
            assert.match(health.body.components.vectorstore.detail, /^legacy is a collection, not an alias/);
            assert.equal(qdrant.collectionWrites("legacy").length, 0);
        } finally {
            await legacy.shutdown();
        }
    });
});

describe("store down and no LLM configured", () => {
    const qdrant = new QdrantStandIn();
    let service: TestService;

    before(async () => {
        await qdrant.start();
        service = await startService(qdrantEnv(qdrant));
        await qdrant.stop();
    });

    after(async () => service.shutdown());

    it("answers 503 with Retry-After: there is no answer path at all", async () => {
        const { status, headers, body } = await ask(service.url, "Anything?");
        assert.equal(status, 503);
        assert.ok(Number(headers.get("retry-after")) > 0);
        assert.match(String(body.message), /no answer path/);
        assert.equal((await getJson(`${service.url}/livez`)).status, 200);
    });
});

describe("Qdrant mode: a snapshot set and a standby bootstrapped from it", () => {
    const source = new QdrantStandIn();
    const target = new QdrantStandIn();
    const token = "snapshot-test-token-0123456789";
    const dirs = { snapshots: freshDataDir(), journal: freshDataDir(), standbyJournal: freshDataDir() };
    let active: TestService;

    before(async () => {
        await source.start();
        await target.start();
        active = await startService(
            qdrantEnv(source, { ADMIN_TOKEN: token, SNAPSHOT_URLS: pathToFileURL(dirs.snapshots).href, JOURNAL_URL: pathToFileURL(dirs.journal).href }),
        );
    });

    after(async () => {
        await active.shutdown();
        await source.stop();
        await target.stop();
    });

    it("writes every point with its vector, then a standby over an empty Qdrant loads it and replays the rest", async () => {
        assert.equal((await postJson(`${active.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS })).status, 200);
        const response = await fetch(`${active.url}/admin/v1/snapshots`, { method: "POST", headers: { authorization: `Bearer ${token}` } });
        const manifest = (await response.json()) as SnapshotManifest;
        assert.equal(response.status, 200);
        assert.equal(manifest.points, 2);
        assert.deepEqual(manifest.journal, { epoch: 1, seq: 1 });
        const part = readFileSync(join(dirs.snapshots, manifest.files[0].key), "utf8").split("\n").map((l) => JSON.parse(l) as ChunkWithVector);
        assert.ok(part.every((c) => (c.sparse?.indices.length ?? 0) > 0 && c.sparse?.indices.length === c.sparse?.values.length), "each point with its sparse vector");

        assert.equal((await postJson(`${active.url}/v1/documents`, { documents: [{ id: "after-set", text: "ingested after the snapshot set was written" }] })).status, 200);
        const standby = await startService(
            qdrantEnv(target, {
                ROLE: "standby",
                JOURNAL_URL: pathToFileURL(dirs.standbyJournal).href,
                PEER_JOURNAL_URLS: pathToFileURL(dirs.journal).href,
                SNAPSHOT_URLS: pathToFileURL(dirs.snapshots).href,
                REPLICATION_POLL_MS: "50",
            }),
        );
        try {
            await eventually(async () => (await getJson<ReplicationStatus>(`${standby.url}/v1/replication`)).body.position?.seq === 2, "standby replayed past the set");
            assert.deepEqual([...(target.collection("docs")?.points.keys() ?? [])].length, 3);
            const scrolled = source.count((r) => r.path.startsWith("/collections/docs/points/scroll"));
            assert.ok(scrolled >= 1, "the set was read from Qdrant with scroll");
        } finally {
            await standby.shutdown();
        }
    });
});

describe("Qdrant client and server versions", () => {
    it("the service's client is within one minor of the server the program deploys, and the stand-in reports that server", () => {
        const manifest = JSON.parse(readFileSync(join(__dirname, "..", "..", "app", "package.json"), "utf8")) as { dependencies: Record<string, string> };
        const client = manifest.dependencies["@qdrant/js-client-rest"];
        assert.match(client, /^\d+\.\d+\.\d+$/, "the client is pinned to one version");
        const server = /:v(\d+\.\d+\.\d+)$/.exec(DEFAULT_QDRANT_IMAGE)?.[1] ?? "";
        const [clientMajor, clientMinor] = client.split(".").map(Number);
        const [serverMajor, serverMinor] = server.split(".").map(Number);
        assert.equal(clientMajor, serverMajor, `client ${client}, server ${server}`);
        assert.ok(Math.abs(clientMinor - serverMinor) <= 1, `client ${client}, server ${server}`);
        assert.equal(STAND_IN_QDRANT_VERSION, server);
    });
});

describe("Qdrant timeouts and unavailable shards", () => {
    const qdrant = new QdrantStandIn();
    let service: TestService;

    before(async () => {
        await qdrant.start();
        service = await startService(qdrantEnv(qdrant));
        assert.equal((await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS })).status, 200);
    });

    after(async () => {
        await service.shutdown();
        await qdrant.stop();
    });

    for (const [mode, status] of [["timeout", 408], ["unavailable", 503]] as const) {
        it(`a ${status} from Qdrant is retried, then the answer says the knowledge base is unavailable`, async () => {
            qdrant.mode = mode;
            const before = qdrant.count((r) => r.path.includes("/points/query"));
            const { status: answered, body } = await ask(service.url, "When does DNS answer with the secondary region?");
            // No LLM configured and no knowledge base: no answer path at all.
            assert.equal(answered, 503);
            assert.match(String(body.message), /no answer path available/);
            assert.equal(qdrant.count((r) => r.path.includes("/points/query")) - before, 2, "one attempt and one retry");
            qdrant.mode = "ok";
            await eventually(async () => (await ask(service.url, "When does DNS answer with the secondary region?")).status === 200, "answers again");
        });
    }
});
