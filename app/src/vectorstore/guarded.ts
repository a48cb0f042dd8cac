import type { Metrics } from "../metrics";
import { InvalidInputError } from "../resilience/errors";
import type { DependencyPolicy } from "../resilience/policy";
import { StoreUnhealthyError, type ChunkWithVector, type DocumentChunks, type RetrievalQuery, type ScoredChunk, type StoreStatus, type VectorStore } from "./types";

/**
 * A vector store whose every request-path call runs under the dependency's policy and is counted
 * and timed. Content that cannot be serialized is refused here, before the policy: it is the
 * client's input, and no store call was made, so the breaker never hears of it.
 */
export class GuardedVectorStore implements VectorStore {
    readonly kind;

    constructor(
        private readonly inner: VectorStore,
        readonly policy: DependencyPolicy,
        private readonly metrics: Metrics,
    ) {
        this.kind = inner.kind;
    }

    upsertDocument(docId: string, chunks: ChunkWithVector[], signal: AbortSignal): Promise<void> {
        assertSerializable(chunks.map((c) => c.metadata));
        return this.guardWrite(signal, (s) => this.inner.upsertDocument(docId, chunks, s));
    }

    upsertDocuments(documents: DocumentChunks[], signal: AbortSignal): Promise<void> {
        assertSerializable(documents.flatMap((d) => d.chunks.map((c) => c.metadata)));
        return this.guardWrite(signal, (s) => this.inner.upsertDocuments(documents, s));
    }

    upsertChunks(chunks: ChunkWithVector[], signal: AbortSignal): Promise<void> {
        assertSerializable(chunks.map((c) => c.metadata));
        return this.guardWrite(signal, (s) => this.inner.upsertChunks(chunks, s));
    }

    /** Pages are read outside the breaker: a snapshot is a background job, not the request path. */
    scan(pageSize: number, signal: AbortSignal): AsyncIterable<ChunkWithVector[]> {
        return this.inner.scan(pageSize, signal);
    }

    readMeta(name: string, signal: AbortSignal): Promise<unknown> {
        return this.guard("meta", signal, (s) => this.inner.readMeta(name, s));
    }

    writeMeta(name: string, value: unknown, signal: AbortSignal): Promise<void> {
        return this.guard("meta", signal, (s) => this.inner.writeMeta(name, value, s));
    }

    query(query: RetrievalQuery, limit: number, signal: AbortSignal): Promise<ScoredChunk[]> {
        return this.guard("query", signal, (s) => this.inner.query(query, limit, s));
    }

    /** Through the breaker, like any request-path call (the replication service uses it). */
    check(signal: AbortSignal): Promise<StoreStatus> {
        return this.guard("check", signal, (s) => this.checked(s));
    }

    /**
     * The region health probe: one call straight to the store, outside the breaker. The breaker
     * judges the request path's recent calls; region health asks whether the store can answer
     * now, and must not fail because the breaker is open, nor close it by succeeding.
     */
    async probe(signal: AbortSignal): Promise<StoreStatus> {
        const labels = { store: this.kind, operation: "probe" };
        try {
            const status = await this.metrics.time(this.metrics.vectorDuration, labels, () => this.checked(signal));
            this.metrics.vectorQueries.inc({ ...labels, outcome: "success" });
            return status;
        } catch (error) {
            this.metrics.vectorQueries.inc({ ...labels, outcome: "error" });
            throw error;
        }
    }

    close(): Promise<void> {
        return this.inner.close();
    }

    private async checked(signal: AbortSignal): Promise<StoreStatus> {
        const status = await this.inner.check(signal);
        if (!status.ok) throw new StoreUnhealthyError(status.detail);
        return status;
    }

    /**
     * A write's outcome is the store's, not the timer's: an attempt given up on by its timeout
     * may still be writing, so before a failure is reported every attempt is waited for, and one
     * that did land makes the write a success. (The embedded store settles an abandoned attempt
     * within one fsync: dropped if still queued, else once its append is on disk.)
     */
    private async guardWrite(signal: AbortSignal, fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
        const attempts: Array<Promise<void>> = [];
        try {
            await this.guard("upsert", signal, (s) => {
                const attempt = fn(s);
                attempts.push(attempt);
                return attempt;
            });
        } catch (error) {
            const outcomes = await Promise.allSettled(attempts);
            if (outcomes.some((o) => o.status === "fulfilled")) return;
            throw error;
        }
    }

    private async guard<T>(operation: string, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
        const labels = { store: this.kind, operation };
        try {
            const result = await this.policy.execute(
                (attemptSignal) => this.metrics.time(this.metrics.vectorDuration, labels, () => fn(attemptSignal)),
                signal,
            );
            this.metrics.vectorQueries.inc({ ...labels, outcome: "success" });
            return result;
        } catch (error) {
            this.metrics.vectorQueries.inc({ ...labels, outcome: "error" });
            throw error;
        }
    }
}

/**
 * Every store client serializes metadata to JSON on the way out; a value JSON cannot hold
 * (nested deeper than the call stack, circular, a BigInt) fails there as a RangeError or
 * TypeError. Trying it here names the cause and keeps it out of the breaker.
 */
function assertSerializable(metadata: unknown[]): void {
    try {
        JSON.stringify(metadata);
    } catch (error) {
        throw new InvalidInputError("body/documents: metadata cannot be stored (nested too deeply, too large or not plain JSON)", { cause: error });
    }
}
