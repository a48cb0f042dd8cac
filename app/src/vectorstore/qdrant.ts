import { QdrantClient, type Schemas } from "@qdrant/js-client-rest";
import type { QdrantConfig } from "../config";
import { chunkIdFor } from "../ingest/ids";
import { StoreUnhealthyError, type Chunk, type ChunkWithVector, type DocumentChunks, type ScoredChunk, type StoreStatus, type VectorStore } from "./types";

/** A type alias, not an interface: the client wants a payload with an index signature. */
type Payload = {
    doc_id: string;
    chunk_index: number;
    text: string;
    metadata: Record<string, unknown>;
};

/**
 * Qdrant over REST. The collection is created on first contact with the replication factor,
 * write consistency and shard count from config, and never recreated: an existing collection
 * with the wrong vector size is reported, not replaced. First contact is retried on every call
 * until it succeeds, so the service starts (and answers LLM-only) while Qdrant is still down.
 */
export class QdrantVectorStore implements VectorStore {
    readonly kind = "qdrant";
    private readonly client: QdrantClient;
    private collectionReady?: Promise<void>;
    private metaReady?: Promise<void>;

    constructor(
        private readonly config: QdrantConfig,
        private readonly dimension: number,
        timeoutMs: number,
        private readonly log: (message: string) => void,
    ) {
        // The compatibility check asks the server's version once, in the background, and warns
        // when client and server are more than one minor apart.
        this.client = new QdrantClient({ url: config.url, apiKey: config.apiKey, timeout: timeoutMs, checkCompatibility: true });
    }

    async upsertDocument(docId: string, chunks: ChunkWithVector[]): Promise<void> {
        await this.ensureCollection();
        const name = this.config.collection;
        if (chunks.length > 0) {
            await this.client.upsert(name, {
                wait: true,
                points: chunks.map((c) => ({ id: c.id, vector: c.vector, payload: toPayload(c) })),
            });
        }
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

    async upsertDocuments(documents: DocumentChunks[]): Promise<void> {
        for (const { docId, chunks } of documents) await this.upsertDocument(docId, chunks);
    }

    async upsertChunks(chunks: ChunkWithVector[]): Promise<void> {
        await this.ensureCollection();
        if (chunks.length === 0) return;
        await this.client.upsert(this.config.collection, {
            wait: true,
            points: chunks.map((c) => ({ id: c.id, vector: c.vector, payload: toPayload(c) })),
        });
    }

    async *scan(pageSize: number): AsyncIterable<ChunkWithVector[]> {
        await this.ensureCollection();
        let offset: string | number | Record<string, unknown> | null | undefined;
        do {
            const page = await this.client.scroll(this.config.collection, { limit: pageSize, offset: offset ?? undefined, with_payload: true, with_vector: true });
            yield page.points.map((point) => ({ ...fromPayload(String(point.id), point.payload), vector: point.vector as number[] }));
            offset = page.next_page_offset;
        } while (offset !== null && offset !== undefined);
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

    async query(vector: number[], limit: number): Promise<ScoredChunk[]> {
        await this.ensureCollection();
        const result = await this.client.query(this.config.collection, { query: vector, limit, with_payload: true });
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
        const info = await this.client.collectionClusterInfo(this.config.collection);
        const verdict = judgeShards(info, this.config.writeConsistencyFactor);
        if (!verdict.readable) return { ok: false, writable: false, detail: verdict.detail };
        return { ok: true, writable: verdict.writable, detail: `qdrant, ${verdict.detail}` };
    }

    async close(): Promise<void> {}

    private get metaCollection(): string {
        return `${this.config.collection}_meta`;
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
        const name = this.config.collection;
        const { exists } = await this.client.collectionExists(name);
        if (!exists) {
            try {
                await this.client.createCollection(name, {
                    vectors: { size: this.dimension, distance: "Cosine" },
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
        const vectors = info.config.params.vectors;
        const size = vectors && "size" in vectors ? vectors.size : undefined;
        if (size !== this.dimension) {
            // Recreating the collection would lose its data: report the mismatch and refuse.
            throw new StoreUnhealthyError(
                `collection ${name} has vectors of size ${String(size)}, the service needs ${this.dimension}; it is left as it is`,
            );
        }
        const replication = info.config.params.replication_factor;
        if (replication !== undefined && replication !== null && replication < this.config.replicationFactor) {
            this.log(`collection ${name} has replication_factor ${replication}, config asks for ${this.config.replicationFactor}`);
        }
    }
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

function toPayload(chunk: ChunkWithVector): Payload {
    return { doc_id: chunk.docId, chunk_index: chunk.chunkIndex, text: chunk.text, metadata: chunk.metadata };
}
