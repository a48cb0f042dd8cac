import type { Embeddings } from "@langchain/core/embeddings";
import type { DependencyPolicy } from "../resilience/policy";
import type { DenseVector, SparseVector } from "../vectorstore/types";
import { lexicalSparseVector } from "./lexical";

export interface TextVectors {
    dense?: DenseVector;
    sparse: SparseVector;
}

export interface Vectorized<T> {
    vectors: T;
    /** The provider is configured but did not answer: the dense vectors are missing. */
    degraded: boolean;
}

export interface DenseEmbedder {
    embeddings: Embeddings;
    /** The space its vectors live in (models.ts `spaceOf`). */
    space: string;
    dimensions: number;
    policy: DependencyPolicy;
}

/** How `degraded` names the embedding provider when it did not answer. */
export const EMBEDDINGS_COMPONENT = "embeddings";

/**
 * Turns texts into the vectors a chunk or a question is stored or searched with: always the
 * local sparse vector, and the provider's dense one when a provider is configured and answers
 * within its policy (timeout, retries, breaker). A failed provider never fails the caller: the
 * texts come back sparse-only, marked degraded.
 */
export class Vectorizer {
    constructor(
        private readonly dense: DenseEmbedder | undefined,
        private readonly onFailure: (error: unknown) => void = () => undefined,
    ) {}

    /** The dense space, or undefined when retrieval is sparse-only by configuration. */
    get space(): string | undefined {
        return this.dense?.space;
    }

    get policy(): DependencyPolicy | undefined {
        return this.dense?.policy;
    }

    /** One line for the start-up log and /health. */
    describe(): string {
        return this.dense
            ? `dense ${this.dense.space} + sparse lexical, fused by reciprocal rank`
            : "sparse lexical only (no embedding provider configured)";
    }

    async documents(texts: string[], signal: AbortSignal): Promise<Vectorized<TextVectors[]>> {
        const sparse = texts.map(lexicalSparseVector);
        const dense = texts.length === 0 ? [] : await this.embed((e) => e.embedDocuments(texts), texts.length, signal);
        return { vectors: sparse.map((s, i) => ({ sparse: s, dense: dense?.[i] })), degraded: dense === undefined && this.dense !== undefined };
    }

    async query(text: string, signal: AbortSignal): Promise<Vectorized<TextVectors>> {
        const sparse = lexicalSparseVector(text);
        const dense = await this.embed(async (e) => [await e.embedQuery(text)], 1, signal);
        return { vectors: { sparse, dense: dense?.[0] }, degraded: dense === undefined && this.dense !== undefined };
    }

    /** Dense vectors for `count` texts, or undefined when there is no provider or it failed. */
    private async embed(call: (e: Embeddings) => Promise<number[][]>, count: number, signal: AbortSignal): Promise<DenseVector[] | undefined> {
        const dense = this.dense;
        if (!dense) return undefined;
        try {
            return await dense.policy.execute(async () => {
                const vectors = await call(dense.embeddings);
                // Some clients answer a failed batch with empty vectors instead of an error
                // (LangChain's Google embeddings): a wrong shape is the provider failing.
                if (vectors.length !== count || vectors.some((v) => v.length !== dense.dimensions || !v.every(Number.isFinite))) {
                    throw new Error(`embedding provider returned ${vectors.length} vector(s) of widths ${[...new Set(vectors.map((v) => v.length))].join("/")}, expected ${count} of ${dense.dimensions}`);
                }
                return vectors.map((values) => ({ space: dense.space, values }));
            }, signal);
        } catch (error) {
            this.onFailure(error);
            return undefined;
        }
    }
}
