import { QdrantClient, type Schemas } from "@qdrant/js-client-rest";
import type { QdrantConfig } from "../config";
import { lexicalSparseVector } from "../embeddings/lexical";
import { collectionFor } from "../embeddings/models";
import type { Vectorizer } from "../embeddings/vectorizer";
import { chunkIdFor } from "../ingest/ids";
import { PREFETCH_FACTOR } from "./hybrid-search";
import {
    StoreUnhealthyError,
    type Chunk,
    type ChunkWithVector,
    type DocumentChunks,
    type RetrievalQuery,
    type ScoredChunk,
    type SparseVector,
    type StoreStatus,
    type VectorStore,
} from "./types";

/** A type alias, not an interface: the client wants a payload with an index signature. */
type Payload = {
    doc_id: string;
    chunk_index: number;
    text: string;
    metadata: Record<string, unknown>;
};

/** Names of the two vectors every point may carry. */
export const DENSE = "dense";
export const SPARSE = "sparse";

/** What the store needs of the embedder: its space, and vectors for stored text when a new collection is filled. */
export type CollectionEmbedder = Pick<Vectorizer, "space" | "documents">;

/** Pause between attempts to fill a new collection (the provider or Qdrant may be down). */
const FILL_RETRY_MS = 5_000;
const FILL_PAGE = 256;

/**
 * Where reads and writes go. `ready`: the alias points at this space's collection. `filling`:
 * the alias still points at an older collection (another model, or none); reads go through
 * the alias on sparse vectors only (its dense vectors are of another space), writes go to both
 * until the new collection is filled and the alias switched to it.
 */
type Layout = { kind: "ready" } | { kind: "filling"; from: string };

/**
 * Qdrant over REST. Points carry two named vectors, `dense` (the provider's embedding, when it
 * answered) and `sparse` (the local lexical vector, IDF-weighted by Qdrant), and are searched with
 * the query API: a prefetch on each, fused by reciprocal rank.
 *
 * The service reads and writes through an alias (QDRANT_COLLECTION), which names the
 * collection of the current vector space (`<alias>_<provider>_<model>_<dims>`, models.ts). A
 * new space (a new model or width) never writes into the old collection's dense vectors: its
 * own collection is created, filled from the old one's text (re-embedded), and the alias is
 * switched to it in one atomic step; the old collection stays until an operator deletes it.
 *
 * Collections are created on first contact with the replication factor, write consistency and
 * shard count from config, and never recreated: one with the wrong vector shape is reported,
 * not replaced. First contact is retried on every call until it succeeds, so the service starts
 * (and answers LLM-only) while Qdrant is still down.
 */
export class QdrantVectorStore implements VectorStore {
    readonly kind = "qdrant";
    private readonly client: QdrantClient;
    private collectionReady?: Promise<void>;
    private metaReady?: Promise<void>;
    private layout: Layout = { kind: "ready" };
    private filling?: Promise<void>;
    private closed = false;
    private fillTimer?: NodeJS.Timeout;
    /** This space's collection; the alias points at it once it is filled. */
    readonly target: string;

    constructor(
        private readonly config: QdrantConfig,
        private readonly embedder: CollectionEmbedder,
        private readonly dimensions: number | undefined,
        timeoutMs: number,
        private readonly log: (message: string) => void,
    ) {
        // The compatibility check asks the server's version once, in the background, and warns
        // when client and server are more than one minor apart.
        this.client = new QdrantClient({ url: config.url, apiKey: config.apiKey, timeout: timeoutMs, checkCompatibility: true });
        this.target = collectionFor(config.collection, embedder.space);
    }

    /** The alias: every read goes through it. */
    private get alias(): string {
        return this.config.collection;
    }

    async upsertDocument(docId: string, chunks: ChunkWithVector[]): Promise<void> {
        await this.ensureCollection();
        for (const [name, vectors] of this.writeTargets()) {
            if (chunks.length > 0) await this.client.upsert(name, { wait: true, points: chunks.map((c) => this.toPoint(c, vectors)) });
            // A shorter new version of the document must not leave its old tail behind.
            await this.client.delete(name, {
                wait: true,
                filter: {
                    must: [
                        { key: "doc_id", match: { value: docId } },
                        { key: "chunk_index", range: { gte: chunks.length } },
                    ],
                },
            });
        }
    }

    async upsertDocuments(documents: DocumentChunks[]): Promise<void> {
        for (const { docId, chunks } of documents) await this.upsertDocument(docId, chunks);
    }

    async upsertChunks(chunks: ChunkWithVector[]): Promise<void> {
        await this.ensureCollection();
        if (chunks.length === 0) return;
        for (const [name, vectors] of this.writeTargets()) {
            await this.client.upsert(name, { wait: true, points: chunks.map((c) => this.toPoint(c, vectors)) });
        }
    }

    /** Every point through the alias; dense vectors only where they are in this store's space. */
    async *scan(pageSize: number): AsyncIterable<ChunkWithVector[]> {
        await this.ensureCollection();
        const ownSpace = this.layout.kind === "ready" ? this.embedder.space : undefined;
        for await (const page of this.pages(this.alias, pageSize, true)) {
            yield page.map((point) => fromPoint(point, ownSpace));
        }
    }

    /** Meta records live in a one-dimensional side collection with the same replication as the data. */
    async readMeta(name: string): Promise<unknown> {
        await this.ensureMetaCollection();
        const [point] = await this.client.retrieve(this.metaCollection, { ids: [chunkIdFor(`meta:${name}`, 0)], with_payload: true });
        return point?.payload?.value;
    }

    async writeMeta(name: string, value: unknown): Promise<void> {
        await this.ensureMetaCollection();
        await this.client.upsert(this.metaCollection, {
            wait: true,
            points: [{ id: chunkIdFor(`meta:${name}`, 0), vector: [1], payload: { name, value: value as Record<string, unknown> } }],
        });
    }

    /**
     * One request: a prefetch on each vector, fused by reciprocal rank (Qdrant's `rrf`), each
     * prefetch asking for more candidates than the answer needs. Without a dense query vector
     * (the provider failed, or the alias still points at another space) the sparse vector is
     * searched alone.
     */
    async query(query: RetrievalQuery, limit: number): Promise<ScoredChunk[]> {
        await this.ensureCollection();
        const dense = this.layout.kind === "ready" && query.dense?.space === this.embedder.space ? query.dense : undefined;
        if (query.sparse.indices.length === 0 && !dense) return []; // nothing to match: no words, no dense vector
        const sparse = { indices: query.sparse.indices, values: query.sparse.values };
        const request: Schemas["QueryRequest"] = dense
            ? {
                  prefetch: [
                      { query: dense.values, using: DENSE, limit: limit * PREFETCH_FACTOR },
                      { query: sparse, using: SPARSE, limit: limit * PREFETCH_FACTOR },
                  ],
                  query: { fusion: "rrf" },
                  limit,
                  with_payload: true,
              }
            : { query: sparse, using: SPARSE, limit, with_payload: true };
        const result = await this.client.query(this.alias, request);
        return result.points.map((point) => ({ ...fromPayload(String(point.id), point.payload), score: point.score }));
    }

    /**
     * Can the region serve, judged where reads and writes actually go: each shard's replicas.
     * Point reads and writes do not pass through Raft, so a leader election says nothing about
     * them; the collection's cluster info lists every replica of every shard, local and remote,
     * with its state. Reads need one Active replica per shard; writes need as many as the write
     * consistency factor.
     */
    async check(): Promise<StoreStatus> {
        await this.ensureCollection();
        const info = await this.client.collectionClusterInfo(this.alias);
        const verdict = judgeShards(info, this.config.writeConsistencyFactor);
        const filling = this.layout.kind === "filling" ? `; filling ${this.target} from ${this.layout.from}` : "";
        if (!verdict.readable) return { ok: false, writable: false, detail: verdict.detail };
        return { ok: true, writable: verdict.writable, detail: `qdrant, ${verdict.detail}${filling}` };
    }

    async close(): Promise<void> {
        this.closed = true;
        clearTimeout(this.fillTimer);
        await this.filling?.catch(() => undefined);
    }

    private get metaCollection(): string {
        return `${this.config.collection}_meta`;
    }

    /** Collections a write goes to, and whether dense vectors go with it. */
    private writeTargets(): Array<[string, "dense+sparse" | "sparse"]> {
        return this.layout.kind === "ready"
            ? [[this.target, "dense+sparse"]]
            : [
                  [this.target, "dense+sparse"],
                  [this.layout.from, "sparse"],
              ];
    }

    /** A chunk as a point: a dense vector of another space is left out, a missing sparse one made from the text. */
    private toPoint(chunk: ChunkWithVector, vectors: "dense+sparse" | "sparse"): Schemas["PointStruct"] {
        const vector: Record<string, number[] | SparseVector> = { [SPARSE]: chunk.sparse ?? lexicalSparseVector(chunk.text) };
        if (vectors === "dense+sparse" && chunk.dense && chunk.dense.space === this.embedder.space) vector[DENSE] = chunk.dense.values;
        return { id: chunk.id, vector, payload: toPayload(chunk) };
    }

    private async *pages(collection: string, pageSize: number, withVector: boolean): AsyncIterable<ScrolledPoint[]> {
        let offset: Schemas["ExtendedPointId"] | undefined;
        do {
            const page = await this.client.scroll(collection, { limit: pageSize, offset, with_payload: true, with_vector: withVector });
            yield page.points;
            const next = page.next_page_offset;
            offset = next === null || next === undefined ? undefined : (next as Schemas["ExtendedPointId"]);
        } while (offset !== undefined);
    }

    private ensureMetaCollection(): Promise<void> {
        this.metaReady ??= (async () => {
            const { exists } = await this.client.collectionExists(this.metaCollection);
            if (exists) return;
            await this.client
                .createCollection(this.metaCollection, {
                    vectors: { size: 1, distance: "Dot" },
                    replication_factor: this.config.replicationFactor,
                    write_consistency_factor: this.config.writeConsistencyFactor,
                })
                .catch(async (error: unknown) => {
                    if (!(await this.client.collectionExists(this.metaCollection)).exists) throw error;
                });
        })().catch((error: unknown) => {
            this.metaReady = undefined;
            throw error;
        });
        return this.metaReady;
    }

    private ensureCollection(): Promise<void> {
        this.collectionReady ??= this.createOrVerify().catch((error: unknown) => {
            this.collectionReady = undefined; // try again on the next call
            throw error;
        });
        return this.collectionReady;
    }

    private async createOrVerify(): Promise<void> {
        const current = (await this.client.getAliases()).aliases.find((a) => a.alias_name === this.alias)?.collection_name;
        if (current === undefined && (await this.client.collectionExists(this.alias)).exists) {
            throw new StoreUnhealthyError(
                `${this.alias} is a collection, not an alias; the service reads through an alias of that name (docs/service.md, "Retrieval"): rename it or choose another QDRANT_COLLECTION`,
            );
        }
        await this.createOrVerifyTarget();
        if (current === this.target) return;
        if (current === undefined) {
            await this.switchAlias(undefined);
            return;
        }
        this.layout = { kind: "filling", from: current };
        this.log(`collection ${this.target} (${this.embedder.space ?? "sparse only"}) is new; filling it from ${current}, then switching alias ${this.alias} to it`);
        this.startFill(current);
    }

    private async createOrVerifyTarget(): Promise<void> {
        const name = this.target;
        const { exists } = await this.client.collectionExists(name);
        if (!exists) {
            try {
                await this.client.createCollection(name, {
                    vectors: this.dimensions === undefined ? {} : { [DENSE]: { size: this.dimensions, distance: "Cosine" } },
                    // IDF weighting turns the sparse vectors' term frequencies into a BM25-like score.
                    sparse_vectors: { [SPARSE]: { modifier: "idf" } },
                    replication_factor: this.config.replicationFactor,
                    write_consistency_factor: this.config.writeConsistencyFactor,
                    shard_number: this.config.shardNumber,
                });
                this.log(`created collection ${name}`);
                return;
            } catch (error) {
                // Another replica may have won the race; verify what it created.
                if (!(await this.client.collectionExists(name)).exists) throw error;
            }
        }
        const info = await this.client.getCollection(name);
        const vectors = (info.config.params.vectors ?? {}) as Record<string, unknown>;
        const unnamed = typeof vectors.size === "number" ? vectors.size : undefined;
        const size = unnamed === undefined ? (vectors[DENSE] as { size?: number } | undefined)?.size : undefined;
        const sparse = info.config.params.sparse_vectors?.[SPARSE];
        if (unnamed !== undefined || size !== this.dimensions || sparse === undefined) {
            const has = unnamed !== undefined ? `one unnamed vector of size ${unnamed}` : size === undefined ? "no dense vector" : `dense vectors of size ${size}`;
            // Recreating the collection would lose its data: report the mismatch and refuse.
            throw new StoreUnhealthyError(
                `collection ${name} has ${has}${sparse === undefined ? " and no sparse vector" : ""}, the service needs ${this.dimensions === undefined ? "no dense vector" : `dense vectors of size ${this.dimensions}`} and a sparse one; it is left as it is`,
            );
        }
        const replication = info.config.params.replication_factor;
        if (replication !== undefined && replication !== null && replication < this.config.replicationFactor) {
            this.log(`collection ${name} has replication_factor ${replication}, config asks for ${this.config.replicationFactor}`);
        }
    }

    /** One atomic alias change: readers see the old collection or the new one, never neither. */
    private async switchAlias(from: string | undefined): Promise<void> {
        await this.client.updateCollectionAliases({
            actions: [
                ...(from === undefined ? [] : [{ delete_alias: { alias_name: this.alias } }]),
                { create_alias: { collection_name: this.target, alias_name: this.alias } },
            ],
        });
        this.log(`alias ${this.alias} now points at ${this.target}${from === undefined ? "" : ` (was ${from}, kept until deleted by an operator)`}`);
    }

    private startFill(from: string): void {
        if (this.filling || this.closed) return;
        this.filling = this.fill(from)
            .then(() => {
                this.layout = { kind: "ready" };
            })
            .catch((error: unknown) => {
                this.log(`filling ${this.target} from ${from} failed (${error instanceof Error ? error.message : String(error)}); retrying in ${FILL_RETRY_MS / 1000} s`);
                if (!this.closed) {
                    this.fillTimer = setTimeout(() => this.startFill(from), FILL_RETRY_MS);
                    this.fillTimer.unref();
                }
            })
            .finally(() => {
                this.filling = undefined;
            });
    }

    /**
     * Copies every point of the old collection that the new one lacks, re-embedded from its
     * text, then switches the alias. Points written since the fill began are already in the new
     * collection (writes go to both) and are skipped, so a newer version is never overwritten
     * by an older one read here earlier. A provider that fails stops the fill (it is retried):
     * the alias never points at a collection whose dense vectors are missing.
     */
    private async fill(from: string): Promise<void> {
        let copied = 0;
        for await (const page of this.pages(from, FILL_PAGE, false)) {
            if (this.closed) return;
            const present = new Set((await this.client.retrieve(this.target, { ids: page.map((p) => p.id), with_payload: false })).map((p) => String(p.id)));
            const missing = page.filter((p) => !present.has(String(p.id))).map((p) => fromPoint(p, undefined));
            if (missing.length === 0) continue;
            const { vectors, degraded } = await this.embedder.documents(missing.map((c) => c.text), AbortSignal.timeout(60_000));
            if (degraded) throw new Error("the embedding provider did not answer");
            const points = missing.map((c, i) => this.toPoint({ ...c, ...vectors[i] }, "dense+sparse"));
            await this.client.upsert(this.target, { wait: true, points });
            copied += points.length;
        }
        if (this.closed) return;
        await this.switchAlias(from);
        this.log(`filled ${this.target} with ${copied} re-embedded point(s) from ${from}`);
    }
}

type ScrolledPoint = Awaited<ReturnType<QdrantClient["scroll"]>>["points"][number];

/** A stored point as a chunk; its dense vector is kept only when the caller knows the collection's space. */
function fromPoint(point: ScrolledPoint, denseSpace: string | undefined): ChunkWithVector {
    const chunk: ChunkWithVector = fromPayload(String(point.id), point.payload);
    const vectors = (point.vector ?? {}) as Record<string, unknown>;
    const sparse = vectors[SPARSE] as SparseVector | undefined;
    const dense = vectors[DENSE];
    if (sparse) chunk.sparse = { indices: sparse.indices, values: sparse.values };
    if (denseSpace !== undefined && Array.isArray(dense)) chunk.dense = { space: denseSpace, values: dense as number[] };
    return chunk;
}

type ClusterInfo = Schemas["CollectionClusterInfo"];

/** Qdrant's OpenAPI schema types, for the stand-in that tests must keep to the same contract. */
export type QdrantSchemas = Schemas;

/** Per shard, the Active replicas across the peer's own and its remote shards. Exported for tests. */
export function judgeShards(info: ClusterInfo, writeConsistencyFactor: number): { readable: boolean; writable: boolean; detail: string } {
    const active = new Map<number, number>();
    const seen = new Set<number>();
    for (const shard of [...info.local_shards, ...info.remote_shards]) {
        seen.add(shard.shard_id);
        if (shard.state === "Active") active.set(shard.shard_id, (active.get(shard.shard_id) ?? 0) + 1);
    }
    if (seen.size === 0) return { readable: false, writable: false, detail: "the collection has no shard replicas" };
    const unreadable = [...seen].filter((id) => (active.get(id) ?? 0) === 0).sort((a, b) => a - b);
    const unwritable = [...seen].filter((id) => (active.get(id) ?? 0) < writeConsistencyFactor).sort((a, b) => a - b);
    const fewest = Math.min(...[...seen].map((id) => active.get(id) ?? 0));
    if (unreadable.length > 0) return { readable: false, writable: false, detail: `shard(s) ${unreadable.join(", ")} have no Active replica` };
    if (unwritable.length > 0) {
        return { readable: true, writable: false, detail: `shard(s) ${unwritable.join(", ")} have fewer Active replicas than the write consistency factor ${writeConsistencyFactor}` };
    }
    return { readable: true, writable: true, detail: `${seen.size} shard(s), at least ${fewest} Active replica(s) each` };
}

function fromPayload(id: string, raw: Record<string, unknown> | null | undefined): Chunk {
    const payload = (raw ?? {}) as Partial<Payload>;
    return {
        id,
        docId: String(payload.doc_id ?? ""),
        chunkIndex: Number(payload.chunk_index ?? 0),
        text: String(payload.text ?? ""),
        metadata: payload.metadata ?? {},
    };
}

function toPayload(chunk: Chunk): Payload {
    return { doc_id: chunk.docId, chunk_index: chunk.chunkIndex, text: chunk.text, metadata: chunk.metadata };
}
