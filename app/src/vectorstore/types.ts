import type { SparseVector } from "../embeddings/lexical";

export type { SparseVector } from "../embeddings/lexical";

/** One chunk of an ingested document, as stored beside its vectors. */
export interface Chunk {
    /** Deterministic UUID: the same document and chunk index always map to the same point. */
    id: string;
    docId: string;
    chunkIndex: number;
    text: string;
    metadata: Record<string, unknown>;
}

/**
 * A provider's embedding, tagged with the vector space it lives in ("openai/text-embedding-3-small/1536"):
 * vectors of two models are never compared, even when their widths agree.
 */
export interface DenseVector {
    space: string;
    values: number[];
}

/**
 * A chunk with the vectors it has: the sparse lexical one always once written by this version
 * (records of older versions lack it and get it from their text), the dense one only when the
 * embedding provider answered when the chunk was ingested (or since, by a backfill).
 */
export interface ChunkWithVector extends Chunk {
    dense?: DenseVector;
    sparse?: SparseVector;
}

/** What a search looks for: the question's sparse vector, and its dense one when the provider answered. */
export interface RetrievalQuery {
    dense?: DenseVector;
    sparse: SparseVector;
}

/** One document's complete chunk list, as a batch write carries it. */
export interface DocumentChunks {
    docId: string;
    chunks: ChunkWithVector[];
}

export interface ScoredChunk extends Chunk {
    score: number;
}

export interface StoreStatus {
    /** Reads can be served. */
    ok: boolean;
    /** Writes can be acknowledged too (false: the region serves reads only). */
    writable: boolean;
    detail: string;
}

export interface VectorStore {
    readonly kind: "embedded" | "qdrant";
    /** Replaces every chunk of `docId` with `chunks`: re-ingesting a document is idempotent. */
    upsertDocument(docId: string, chunks: ChunkWithVector[], signal: AbortSignal): Promise<void>;
    /** Both vectors fused by reciprocal rank; the sparse one alone when the query has no dense vector. */
    query(query: RetrievalQuery, limit: number, signal: AbortSignal): Promise<ScoredChunk[]>;
    /**
     * upsertDocument for several documents as one write (one ingest request, one journal entry).
     * The embedded store lands all of them or none; Qdrant has no multi-operation transaction,
     * so there each document is its own write.
     */
    upsertDocuments(documents: DocumentChunks[], signal: AbortSignal): Promise<void>;
    /** Writes chunks as they are, no tail removal: loading a snapshot set into an empty store. */
    upsertChunks(chunks: ChunkWithVector[], signal: AbortSignal): Promise<void>;
    /** Every stored chunk with its vector, in pages: writing a snapshot set. */
    scan(pageSize: number, signal: AbortSignal): AsyncIterable<ChunkWithVector[]>;
    /**
     * Small named records kept with the data they describe (the replication position): a store
     * that loses its data loses them too, so a wiped store is never taken for an up-to-date one.
     */
    readMeta(name: string, signal: AbortSignal): Promise<unknown>;
    writeMeta(name: string, value: unknown, signal: AbortSignal): Promise<void>;
    /** Can this store serve reads and writes right now (reachable, quorum, collection usable)? */
    check(signal: AbortSignal): Promise<StoreStatus>;
    close(): Promise<void>;
}

/** The store answered but cannot serve (no quorum, wrong collection shape); the message is safe to show. */
export class StoreUnhealthyError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StoreUnhealthyError";
    }
}
