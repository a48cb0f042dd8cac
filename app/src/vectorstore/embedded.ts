import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { AppendLog, damaged, StoreOpenError } from "./embedded-log";
import { readLegacyFile } from "./embedded-legacy";
import { hybridSearch } from "./hybrid-search";
import { StoreLock } from "./store-lock";
import type { ChunkWithVector, DocumentChunks, RetrievalQuery, ScoredChunk, StoreStatus, VectorStore } from "./types";

/**
 * The embedded store file's width marker, from when it held one 512-wide lexical vector per
 * chunk: chunks now carry their own vectors (each dense one tagged with its space), and the
 * marker only keeps files of either version opening.
 */
export const EMBEDDED_FILE_DIMENSION = 512;

const LOG_NAME = "vectors.log";
const CHUNKS_PER_COMPACTED_RECORD = 1_000;

/** What a record in the log says; chunks are stored as given, whatever their vectors look like. */
type StoreRecord =
    | { op: "documents"; documents: DocumentChunks[] }
    | { op: "chunks"; chunks: ChunkWithVector[] }
    | { op: "meta"; name: string; value: unknown };

interface LogHeader {
    format: 1;
    dimension: number;
}

export interface EmbeddedStoreOptions {
    /** Where start-up warnings go (a torn last record cut off). Defaults to stderr. */
    warn?: (message: string) => void;
    /** No compaction below this log size. Defaults to 16 MiB. */
    compactMinBytes?: number;
    /** Compact once this share of the log is overwritten records. Defaults to 0.5. */
    compactGarbageRatio?: number;
    /** A lock on the log not refreshed for this long is taken over (its holder stopped). Defaults to 10 s. */
    lockStaleMs?: number;
}

/**
 * The fresh-machine default: all points in memory, searched exhaustively, persisted as an
 * append-only log under DATA_DIR (one fsynced record per write, see embedded-log.ts) that is
 * rewritten without its overwritten records once they make up most of it. Sized for local use,
 * tests and small deployments, not for a production corpus.
 */
export class EmbeddedVectorStore implements VectorStore {
    readonly kind = "embedded";
    private readonly points = new Map<string, ChunkWithVector>();
    /** Bytes each live point and meta record takes in the log: what a compaction would keep. */
    private readonly pointBytes = new Map<string, number>();
    private readonly chunksOf = new Map<string, Set<string>>();
    private readonly meta = new Map<string, { value: unknown; bytes: number }>();
    private liveBytes = 0;
    private compaction: Promise<void> | undefined;
    /** After a failed compaction, the next try waits until the log has grown this far. */
    private retryCompactionAt = 0;
    private log!: AppendLog;
    private lock!: StoreLock;

    private constructor(
        private readonly warn: (message: string) => void,
        private readonly compactMinBytes: number,
        private readonly compactGarbageRatio: number,
    ) {}

    static async open(dir: string, dimension: number, options: EmbeddedStoreOptions = {}): Promise<EmbeddedVectorStore> {
        const warn = options.warn ?? ((message: string) => process.stderr.write(`${message}\n`));
        const store = new EmbeddedVectorStore(warn, options.compactMinBytes ?? 16 * 1024 * 1024, options.compactGarbageRatio ?? 0.5);
        await mkdir(dir, { recursive: true });
        const path = join(dir, LOG_NAME);
        // Taken before anything is read or removed: a second process would otherwise delete the
        // first one's compaction file as a leftover, and append to the same log.
        const lock = await StoreLock.acquire(path, {
            staleMs: options.lockStaleMs ?? 10_000,
            warn,
            onLost: (error) => {
                warn(error.message);
                // Unset while the log is still being replayed; replay() passes the loss on then.
                store.log?.refuse(error);
            },
        });
        store.lock = lock;
        try {
            await store.replay(dir, path, dimension, warn);
        } catch (error) {
            await lock.release();
            throw error;
        }
        return store;
    }

    private async replay(dir: string, path: string, dimension: number, warn: (message: string) => void): Promise<void> {
        const header: LogHeader = { format: 1, dimension };
        // The single-file format of earlier versions becomes the log's first records, once.
        const legacy = await readLegacyFile(dir, dimension);
        const { log, replayed } = await AppendLog.open(path, header, warn, legacy ? async () => legacy.records.map(encode) : undefined);
        const saved = replayed.header as Partial<LogHeader> | null;
        if (typeof saved !== "object" || saved === null || saved.format !== 1 || typeof saved.dimension !== "number") {
            await log.close();
            throw damaged(path, "unrecognised header");
        }
        if (saved.dimension !== dimension) {
            await log.close();
            throw new StoreOpenError(`${path} holds ${saved.dimension}-dimensional vectors, the embedding makes ${dimension}; move the file away to start afresh`);
        }
        for (const [n, payload] of replayed.records.entries()) {
            let record: StoreRecord;
            try {
                record = JSON.parse(payload.toString("utf8")) as StoreRecord;
            } catch {
                await log.close();
                throw damaged(path, `record ${n + 1} is not readable`);
            }
            this.apply(record, payload.length);
        }
        this.log = log;
        if (this.lock.lost) log.refuse(this.lock.lost);
        if (legacy) await legacy.remove();
    }

    upsertDocument(docId: string, chunks: ChunkWithVector[], signal: AbortSignal): Promise<void> {
        return this.upsertDocuments([{ docId, chunks }], signal);
    }

    /** Replaces every chunk of each document; the batch is one record, so it lands entirely or not at all. */
    upsertDocuments(documents: DocumentChunks[], signal: AbortSignal): Promise<void> {
        return this.write({ op: "documents", documents }, signal);
    }

    upsertChunks(chunks: ChunkWithVector[], signal: AbortSignal): Promise<void> {
        return this.write({ op: "chunks", chunks }, signal);
    }

    async *scan(pageSize: number, _signal?: AbortSignal): AsyncIterable<ChunkWithVector[]> {
        const all = [...this.points.values()];
        for (let i = 0; i < all.length; i += pageSize) yield all.slice(i, i + pageSize);
    }

    async readMeta(name: string, _signal?: AbortSignal): Promise<unknown> {
        return this.meta.get(name)?.value;
    }

    /** One small appended record: a follower remembering its position costs an append, not a rewrite. */
    writeMeta(name: string, value: unknown, signal: AbortSignal): Promise<void> {
        return this.write({ op: "meta", name, value }, signal);
    }

    async query(query: RetrievalQuery, limit: number, _signal?: AbortSignal): Promise<ScoredChunk[]> {
        return hybridSearch(this.points.values(), query, limit);
    }

    async check(): Promise<StoreStatus> {
        const failure = this.log.failure;
        const readOnly = this.lock.lost ? ", read-only: it lost its lock on DATA_DIR (restart the service)" : failure ? ", read-only after a failed write it could not undo (restart the service)" : "";
        return { ok: true, writable: !failure, detail: `embedded, ${this.points.size} chunks${readOnly}` };
    }

    async close(): Promise<void> {
        await this.compaction;
        try {
            await this.log.close();
        } finally {
            await this.lock.release();
        }
    }

    /**
     * Memory changes only once the record is on disk, in log order: a write that fails, or whose
     * signal fires while it still waits for its turn, leaves both as they were.
     */
    private async write(record: StoreRecord, signal: AbortSignal): Promise<void> {
        const payload = encode(record);
        await this.log.append(payload, signal, () => this.apply(record, payload.length));
        this.compactIfWorthIt();
    }

    private apply(record: StoreRecord, bytes: number): void {
        if (record.op === "meta") {
            this.liveBytes -= this.meta.get(record.name)?.bytes ?? 0;
            this.meta.set(record.name, { value: record.value, bytes });
            this.liveBytes += bytes;
            return;
        }
        const chunks = record.op === "chunks" ? record.chunks : record.documents.flatMap((d) => d.chunks);
        if (record.op === "documents") {
            for (const { docId, chunks: latest } of record.documents) {
                for (const id of [...(this.chunksOf.get(docId) ?? [])]) {
                    const point = this.points.get(id);
                    if (point && point.chunkIndex >= latest.length) this.remove(id);
                }
            }
        }
        const share = chunks.length > 0 ? bytes / chunks.length : 0;
        for (const chunk of chunks) {
            this.remove(chunk.id);
            this.points.set(chunk.id, chunk);
            this.pointBytes.set(chunk.id, share);
            this.liveBytes += share;
            let ids = this.chunksOf.get(chunk.docId);
            if (!ids) this.chunksOf.set(chunk.docId, (ids = new Set()));
            ids.add(chunk.id);
        }
    }

    private remove(id: string): void {
        const point = this.points.get(id);
        if (!point) return;
        this.points.delete(id);
        this.liveBytes -= this.pointBytes.get(id) ?? 0;
        this.pointBytes.delete(id);
        const ids = this.chunksOf.get(point.docId);
        ids?.delete(id);
        if (ids?.size === 0) this.chunksOf.delete(point.docId);
    }

    private compactIfWorthIt(): void {
        const size = this.log.size;
        if (this.compaction || size < this.compactMinBytes || size < this.retryCompactionAt) return;
        if (size - this.liveBytes < this.compactGarbageRatio * size) return;
        // The copy is taken now, synchronously, while memory matches the log exactly.
        const points = [...this.points.values()];
        const meta = [...this.meta.entries()];
        this.compaction = this.log
            .compact(() => liveRecords(points, meta))
            .then(({ after }) => {
                // Sizes in memory are estimates per record: never compact again before the log has grown by half.
                this.retryCompactionAt = after * 1.5;
            })
            .catch((error: unknown) => {
                this.retryCompactionAt = size * 2;
                this.warn(`${this.log.path}: compaction failed, the log stays as it is: ${error instanceof Error ? error.message : String(error)}`);
            })
            .finally(() => {
                this.compaction = undefined;
            });
    }
}

function encode(record: StoreRecord): Buffer {
    return Buffer.from(JSON.stringify(record));
}

/** The live state as records, in slices, yielding between them so requests keep being served. */
async function* liveRecords(points: ChunkWithVector[], meta: Array<[string, { value: unknown }]>): AsyncIterable<Buffer> {
    for (let i = 0; i < points.length; i += CHUNKS_PER_COMPACTED_RECORD) {
        yield encode({ op: "chunks", chunks: points.slice(i, i + CHUNKS_PER_COMPACTED_RECORD) });
        await new Promise((resolve) => setImmediate(resolve));
    }
    for (const [name, { value }] of meta) yield encode({ op: "meta", name, value });
}

export { StoreOpenError } from "./embedded-log";
export type { StoreRecord };
