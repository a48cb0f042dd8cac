import { RecursiveCharacterTextSplitter } from "@langchain/textsplitters";
import type { LexicalHashEmbeddings } from "../embeddings/lexical";
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
        private readonly embeddings: LexicalHashEmbeddings,
        private readonly replication: IngestJournal,
        private readonly deadlineMs: number,
        private readonly retryAfterSeconds: number,
    ) {}

    async ingest(documents: IncomingDocument[]): Promise<IngestResult> {
        this.replication.assertWritable();
        // Everything is chunked and embedded before the first write: a bad document fails the batch, not half of it.
        const prepared = await Promise.all(documents.map((d) => this.prepare(d)));
        await this.oneAtATimePerDocument(
            prepared.map((d) => d.id),
            async () => {
                const deadline = new Deadline(this.deadlineMs);
                try {
                    // One write for the whole request: it lands entirely or, on a 503, not at all.
                    await this.store.upsertDocuments(prepared.map(({ id, chunks }) => ({ docId: id, chunks })), deadline.signal);
                } catch (error) {
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
        return { documents: summary, chunks: summary.reduce((sum, d) => sum + d.chunks, 0) };
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

    private async prepare(document: IncomingDocument): Promise<{ id: string; chunks: ChunkWithVector[] }> {
        const id = document.id ?? documentIdFor(document.text);
        const texts = await this.splitter.splitText(document.text);
        const vectors = await this.embeddings.embedDocuments(texts);
        const chunks = texts.map((text, chunkIndex) => ({
            id: chunkIdFor(id, chunkIndex),
            docId: id,
            chunkIndex,
            text,
            metadata: document.metadata ?? {},
            vector: vectors[chunkIndex],
        }));
        return { id, chunks };
    }
}
