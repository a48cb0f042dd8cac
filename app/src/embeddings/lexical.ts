/** Sparse vectors as Qdrant stores them: parallel lists of unique dimension ids and their weights. */
export interface SparseVector {
    indices: number[];
    values: number[];
}

const STOP_WORDS = new Set(
    "a an and are as at be by for from has have how in is it its of on or that the this to was were what when where which who why will with does do did can".split(
        " ",
    ),
);

/** Lower-cased word tokens without stop words; shared with the extractive answerer. */
export function tokenize(text: string): string[] {
    return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((t) => t.length > 1 && !STOP_WORDS.has(t));
}

/** FNV-1a: fast, stable across processes and versions, good enough spread for feature hashing. */
function fnv1a(text: string): number {
    let hash = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
        hash ^= text.charCodeAt(i);
        hash = Math.imul(hash, 0x01000193);
    }
    return hash >>> 0;
}

/**
 * The local lexical vector of a text: each word and word pair hashed to a 32-bit dimension id
 * (Qdrant's sparse indices are u32), weighted by sublinear term frequency (pairs at half
 * weight), L2-normalised so that a dot product is a cosine. It needs no network and no
 * provider, so retrieval keeps working when every model API is down; it matches shared words,
 * not synonyms or paraphrases (that is the dense vector's job).
 */
export function lexicalSparseVector(text: string): SparseVector {
    const tokens = tokenize(text);
    const features = [...tokens, ...tokens.slice(1).map((t, i) => `${tokens[i]} ${t}`)];
    const counts = new Map<string, number>();
    for (const f of features) counts.set(f, (counts.get(f) ?? 0) + 1);
    const weights = new Map<number, number>();
    for (const [feature, count] of counts) {
        const index = fnv1a(feature);
        const weight = (feature.includes(" ") ? 0.5 : 1) * (1 + Math.log(count));
        weights.set(index, (weights.get(index) ?? 0) + weight); // a hash collision adds up, as one dimension
    }
    const indices = [...weights.keys()].sort((a, b) => a - b);
    const norm = Math.hypot(...indices.map((i) => weights.get(i)!));
    return { indices, values: indices.map((i) => weights.get(i)! / norm) };
}

/** Dot product of two sparse vectors whose indices are sorted ascending (as lexicalSparseVector makes them). */
export function sparseDot(a: SparseVector, b: SparseVector): number {
    let sum = 0;
    for (let i = 0, j = 0; i < a.indices.length && j < b.indices.length; ) {
        if (a.indices[i] === b.indices[j]) sum += a.values[i++] * b.values[j++];
        else if (a.indices[i] < b.indices[j]) i++;
        else j++;
    }
    return sum;
}
