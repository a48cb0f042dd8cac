import { lexicalSparseVector, sparseDot } from "../embeddings/lexical";
import { reciprocalRankFusion } from "./fusion";
import type { Chunk, ChunkWithVector, RetrievalQuery, ScoredChunk } from "./types";

/**
 * How many candidates each side contributes before fusion, per result wanted: fusing only the
 * top `limit` of each would drop a chunk that ranks just below it on one side and high on the
 * other (Qdrant's prefetch limit plays the same role).
 */
export const PREFETCH_FACTOR = 4;

/**
 * Exhaustive hybrid search over chunks in memory (the embedded store): the sparse lexical
 * ranking, the dense ranking over chunks whose dense vector is in the query's space, fused by
 * reciprocal rank. Chunks without a dense vector (ingested while the provider was down, or in
 * another model's space) still compete on the sparse side. Chunks of older records without a
 * sparse vector get one from their text.
 */
export function hybridSearch(chunks: Iterable<ChunkWithVector>, query: RetrievalQuery, limit: number): ScoredChunk[] {
    const candidates = limit * PREFETCH_FACTOR;
    const sparse: Array<{ chunk: ChunkWithVector; score: number }> = [];
    const dense: Array<{ chunk: ChunkWithVector; score: number }> = [];
    for (const chunk of chunks) {
        const sparseScore = sparseDot(query.sparse, chunk.sparse ?? lexicalSparseVector(chunk.text));
        if (sparseScore > 0) sparse.push({ chunk, score: sparseScore });
        if (query.dense && chunk.dense?.space === query.dense.space) dense.push({ chunk, score: cosine(query.dense.values, chunk.dense.values) });
    }
    const top = (list: typeof sparse, n: number) => list.sort((a, b) => b.score - a.score).slice(0, n);
    // Sparse alone is a plain ranking, scored by the dot product, as Qdrant answers a single query.
    if (!query.dense) return top(sparse, limit).map(({ chunk, score }) => ({ ...withoutVectors(chunk), score }));
    return reciprocalRankFusion([top(dense, candidates), top(sparse, candidates)], (c) => c.chunk.id, limit).map(({ item, score }) => ({
        ...withoutVectors(item.chunk),
        score,
    }));
}

export function withoutVectors(point: ChunkWithVector): Chunk {
    const { id, docId, chunkIndex, text, metadata } = point;
    return { id, docId, chunkIndex, text, metadata };
}

/** Cosine similarity; 0 for a zero vector. Shared with the Qdrant stand-in's dense search. */
export function cosine(a: number[], b: number[]): number {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < a.length; i++) {
        dot += a[i] * b[i];
        na += a[i] * a[i];
        nb += b[i] * b[i];
    }
    return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
