import type { Chunk, ChunkWithVector, ScoredChunk } from "./types";

/** Exhaustive dot-product ranking over the points in memory: the embedded store's whole query path. */
export function rankByDotProduct(points: Iterable<ChunkWithVector>, vector: number[], limit: number): ScoredChunk[] {
    const scored: Array<{ point: ChunkWithVector; score: number }> = [];
    for (const point of points) {
        let score = 0;
        for (let i = 0; i < vector.length; i++) score += vector[i] * point.vector[i];
        if (score > 0) scored.push({ point, score });
    }
    // Only the chunks returned are copied out without their vectors.
    return scored
        .sort((a, b) => b.score - a.score)
        .slice(0, limit)
        .map(({ point, score }) => ({ ...withoutVector(point), score }));
}

function withoutVector(point: ChunkWithVector): Chunk {
    const { vector: _vector, ...chunk } = point;
    return chunk;
}
