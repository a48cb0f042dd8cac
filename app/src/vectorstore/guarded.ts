import type { Metrics } from "../metrics";
import type { DependencyPolicy } from "../resilience/policy";
import { StoreUnhealthyError, type ChunkWithVector, type DocumentChunks, type ScoredChunk, type StoreStatus, type VectorStore } from "./types";

/** A vector store whose every call runs under the dependency's policy and is counted and timed. */
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
        return this.guardWrite(signal, (s) => this.inner.upsertDocument(docId, chunks, s));
    }

    upsertDocuments(documents: DocumentChunks[], signal: AbortSignal): Promise<void> {
        return this.guardWrite(signal, (s) => this.inner.upsertDocuments(documents, s));
    }

    upsertChunks(chunks: ChunkWithVector[], signal: AbortSignal): Promise<void> {
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

    query(vector: number[], limit: number, signal: AbortSignal): Promise<ScoredChunk[]> {
        return this.guard("query", signal, (s) => this.inner.query(vector, limit, s));
    }

    /**
     * Health probes go through the breaker too: an open breaker means "down" without a network
     * round trip, and a successful probe in half-open state closes it again.
     */
    check(signal: AbortSignal): Promise<StoreStatus> {
        return this.guard("check", signal, async (s) => {
            const status = await this.inner.check(s);
            if (!status.ok) throw new StoreUnhealthyError(status.detail);
            return status;
        });
    }

    close(): Promise<void> {
        return this.inner.close();
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
