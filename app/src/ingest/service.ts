import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import { EMBEDDINGS_COMPONENT, type Vectorizer } from "../embeddings/vectorizer";
import { upsertOp } from "../replication/journal";
import type { ReplicationService } from "../replication/service";

/** What ingestion needs of replication: may this side write, and journal what it wrote. */
export type IngestJournal = Pick<ReplicationService, "assertWritable" | "append">;
import { Deadline } from "../resilience/deadline";
import { HttpError } from "../resilience/errors";
import type { ChunkWithVector, VectorStore } from "../vectorstore/types";
import { chunkIdFor, documentIdFor } from "./ids";

export interface IncomingDocument {
    id?: string;
    text: string;
    metadata?: Record<string, unknown>;
}

export interface IngestResult {
    documents: Array<{ id: string; chunks: number }>;
    chunks: number;
    /** Set when the chunks were stored without dense vectors (the embedding provider failed): ["embeddings"]. */
    degraded?: string[];
}

/**
 * Chunk, embed, upsert, journal; chunk ids derive from the document id, so ingesting twice
 * changes nothing. A write is acknowledged only once the store and the change journal both have
 * it, in that order: whatever the journal holds, the store already had, which is what lets a
 * snapshot set name the journal position it covers.
 */
export class IngestService {
    private readonly splitter = new RecursiveCharacterTextSplitter({ chunkSize: 1000, chunkOverlap: 150 });
    /** Writes of one document id run one at a time, so the journal records them in store order. */
    private readonly inFlight = new Map<string, Promise<unknown>>();

    constructor(
        private readonly store: VectorStore,
        private readonly vectorizer: Vectorizer,
        private readonly replication: IngestJournal,
        private readonly deadlineMs: number,
        private readonly retryAfterSeconds: number,
    ) {}

    async ingest(documents: IncomingDocument[]): Promise<IngestResult> {
        this.replication.assertWritable();
        // Everything is chunked and embedded before the first write: a bad document fails the batch, not half of it.
        const deadline = new Deadline(this.deadlineMs);
        let prepared: Array<{ id: string; chunks: ChunkWithVector[] }>;
        let sparseOnly: boolean;
        try {
            ({ prepared, sparseOnly } = await this.prepare(documents, deadline.signal));
        } finally {
            deadline.dispose();
        }
        await this.oneAtATimePerDocument(
            prepared.map((d) => d.id),
            async () => {
                const deadline = new Deadline(this.deadlineMs);
                try {
                    // One write for the whole request: it lands entirely or, on a 503, not at all.
                    await this.store.upsertDocuments(prepared.map(({ id, chunks }) => ({ docId: id, chunks })), deadline.signal);
                } catch (error) {
                    if (error instanceof HttpError && error.statusCode < 500) throw error; // the client's input (resilience/classify.ts)
                    // Retrying is safe: the point ids are deterministic, so a partial write is simply overwritten.
                    throw new HttpError(503, "the vector store is unavailable; retry the request (ingestion is idempotent)", this.retryAfterSeconds, {
                        cause: error,
                    });
                } finally {
                    deadline.dispose();
                }
                await this.replication.append(prepared.map(({ id, chunks }) => upsertOp(id, chunks)));
            },
        );
        const summary = prepared.map(({ id, chunks }) => ({ id, chunks: chunks.length }));
        const result: IngestResult = { documents: summary, chunks: summary.reduce((sum, d) => sum + d.chunks, 0) };
        if (sparseOnly) result.degraded = [EMBEDDINGS_COMPONENT];
        return result;
    }

    private async oneAtATimePerDocument(ids: string[], work: () => Promise<void>): Promise<void> {
        const before = ids.flatMap((id) => {
            const pending = this.inFlight.get(id);
            return pending ? [pending.catch(() => undefined)] : [];
        });
        const run = Promise.all(before).then(work);
        for (const id of ids) this.inFlight.set(id, run);
        try {
            await run;
        } finally {
            for (const id of ids) if (this.inFlight.get(id) === run) this.inFlight.delete(id);
        }
    }

    /**
     * Every chunk of every document embedded in one call (the client batches as the provider
     * allows). A provider that fails does not fail the ingest: the chunks are stored with their
     * sparse vectors only, found by lexical search at once, and marked by the missing dense
     * vector; the answer says `degraded: ["embeddings"]`, and sending the documents again
     * (idempotent) or the next model change's fill gives them dense vectors.
     */
    private async prepare(documents: IncomingDocument[], signal: AbortSignal): Promise<{ prepared: Array<{ id: string; chunks: ChunkWithVector[] }>; sparseOnly: boolean }> {
        const split = await Promise.all(
            documents.map(async (document) => ({ document, id: document.id ?? documentIdFor(document.text), texts: await this.splitter.splitText(document.text) })),
        );
        const { vectors, degraded } = await this.vectorizer.documents(split.flatMap((d) => d.texts), signal);
        let next = 0;
        const prepared = split.map(({ document, id, texts }) => ({
            id,
            chunks: texts.map((text, chunkIndex) => ({
                id: chunkIdFor(id, chunkIndex),
                docId: id,
                chunkIndex,
                text,
                metadata: document.metadata ?? {},
                ...vectors[next++],
            })),
        }));
        return { prepared, sparseOnly: degraded };
    }
}
