import { Embeddings } from "@langchain/core/embeddings";

/** Vector width of the lexical embedding; a Qdrant collection is created with it. */
const LEXICAL_DIMENSION = 512;

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
 * A local, deterministic embedding: hashed, sublinear term frequencies of words and word pairs,
 * L2-normalised so that a dot product is a cosine. It is lexical, not semantic: it matches
 * shared words, not synonyms or paraphrases. Its virtue is that it needs no network and no
 * provider, so retrieval keeps working when every model API is down.
 */
export class LexicalHashEmbeddings extends Embeddings {
    constructor(readonly dimension = LEXICAL_DIMENSION) {
        super({});
    }

    embed(text: string): number[] {
        const vector = new Array<number>(this.dimension).fill(0);
        const tokens = tokenize(text);
        const features = [...tokens, ...tokens.slice(1).map((t, i) => `${tokens[i]} ${t}`)];
        const counts = new Map<string, number>();
        for (const f of features) counts.set(f, (counts.get(f) ?? 0) + 1);
        for (const [feature, count] of counts) {
            const hash = fnv1a(feature);
            // The sign bit spreads collisions around zero instead of piling them up.
            const sign = hash & 0x80000000 ? -1 : 1;
            const weight = feature.includes(" ") ? 0.5 : 1;
            vector[hash % this.dimension] += sign * weight * (1 + Math.log(count));
        }
        const norm = Math.hypot(...vector);
        return norm === 0 ? vector : vector.map((v) => v / norm);
    }

    async embedDocuments(documents: string[]): Promise<number[][]> {
        return documents.map((d) => this.embed(d));
    }

    async embedQuery(document: string): Promise<number[]> {
        return this.embed(document);
    }
}
