/**
 * Reciprocal rank fusion: each list adds 1 / (k + rank) for every item it ranks (rank from 1),
 * so an item near the top of several lists beats one at the top of only one, and the lists'
 * score scales (cosine vs. sparse dot product) never have to be compared. k = 60 is the value
 * of the method's paper (Cormack, Clarke, Büttcher, SIGIR 2009); Qdrant's `rrf` is the same
 * scheme with its own constant.
 */
export const RRF_K = 60;

export function reciprocalRankFusion<T>(lists: T[][], key: (item: T) => string, limit: number, k = RRF_K): Array<{ item: T; score: number }> {
    const fused = new Map<string, { item: T; score: number }>();
    for (const list of lists) {
        list.forEach((item, index) => {
            const id = key(item);
            const entry = fused.get(id) ?? { item, score: 0 };
            entry.score += 1 / (k + index + 1);
            fused.set(id, entry);
        });
    }
    // Ties keep first-seen order: Array.prototype.sort is stable.
    return [...fused.values()].sort((a, b) => b.score - a.score).slice(0, limit);
}
