import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hybridSearch } from "./hybrid-search";
import type { ChunkWithVector, RetrievalQuery, ScoredChunk, StoreStatus, VectorStore } from "./types";

interface StoreFile {
    version: 1;
    dimension: number;
    points: ChunkWithVector[];
    meta?: Record<string, unknown>;
}

const FILE_NAME = "vectors.json";

/**
 * The fresh-machine default: all points in memory, searched exhaustively, persisted to one JSON
 * file under DATA_DIR after every write. Sized for local use and tests, not for a production
 * corpus.
 */
export class EmbeddedVectorStore implements VectorStore {
    readonly kind = "embedded";
    private points = new Map<string, ChunkWithVector>();
    private meta: Record<string, unknown> = {};
    private writes: Promise<void> = Promise.resolve();

    private constructor(
        private readonly dir: string,
        private readonly dimension: number,
    ) {}

    static async open(dir: string, dimension: number): Promise<EmbeddedVectorStore> {
        const store = new EmbeddedVectorStore(dir, dimension);
        await mkdir(dir, { recursive: true });
        const saved = await readFile(join(dir, FILE_NAME), "utf8").catch((error: NodeJS.ErrnoException) => {
            if (error.code === "ENOENT") return undefined;
            throw error;
        });
        if (saved !== undefined) {
            const file = JSON.parse(saved) as StoreFile;
            if (file.dimension !== dimension) {
                throw new Error(
                    `${join(dir, FILE_NAME)} holds ${file.dimension}-dimensional vectors, the embedding makes ${dimension}; move the file away to start afresh`,
                );
            }
            for (const point of file.points) store.points.set(point.id, point);
            store.meta = file.meta ?? {};
        }
        return store;
    }

    /**
     * Writes are queued one after another; each builds the next state aside, persists it, and
     * only then makes it visible, so a failed write leaves memory and disk as they were.
     */
    upsertDocument(docId: string, chunks: ChunkWithVector[]): Promise<void> {
        return this.write((points) => {
            for (const [id, point] of points) {
                if (point.docId === docId && point.chunkIndex >= chunks.length) points.delete(id);
            }
            for (const chunk of chunks) points.set(chunk.id, chunk);
        });
    }

    upsertChunks(chunks: ChunkWithVector[]): Promise<void> {
        return this.write((points) => {
            for (const chunk of chunks) points.set(chunk.id, chunk);
        });
    }

    async *scan(pageSize: number): AsyncIterable<ChunkWithVector[]> {
        const all = [...this.points.values()];
        for (let i = 0; i < all.length; i += pageSize) yield all.slice(i, i + pageSize);
    }

    async readMeta(name: string): Promise<unknown> {
        return this.meta[name];
    }

    writeMeta(name: string, value: unknown): Promise<void> {
        return this.write((_points, meta) => {
            meta[name] = value;
        });
    }

    private write(change: (points: Map<string, ChunkWithVector>, meta: Record<string, unknown>) => void): Promise<void> {
        const write = this.writes.then(async () => {
            const next = new Map(this.points);
            const nextMeta = { ...this.meta };
            change(next, nextMeta);
            await this.save(next, nextMeta);
            this.points = next;
            this.meta = nextMeta;
        });
        this.writes = write.catch(() => undefined);
        return write;
    }

    async query(query: RetrievalQuery, limit: number): Promise<ScoredChunk[]> {
        return hybridSearch(this.points.values(), query, limit);
    }

    async check(): Promise<StoreStatus> {
        return { ok: true, writable: true, detail: `embedded, ${this.points.size} chunks` };
    }

    async close(): Promise<void> {
        await this.writes;
    }

    /** Written beside the target, then renamed over it: a crash never leaves half a file. */
    private async save(points: Map<string, ChunkWithVector>, meta: Record<string, unknown>): Promise<void> {
        const file: StoreFile = { version: 1, dimension: this.dimension, points: [...points.values()], meta };
        const target = join(this.dir, FILE_NAME);
        const temporary = `${target}.${process.pid}.tmp`;
        await writeFile(temporary, JSON.stringify(file));
        await rename(temporary, target);
    }
}
