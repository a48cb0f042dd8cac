import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Chunk, ChunkWithVector, ScoredChunk, StoreStatus, VectorStore } from "./types";

interface StoreFile {
    version: 1;
    dimension: number;
    points: ChunkWithVector[];
}

const FILE_NAME = "vectors.json";

/**
 * The fresh-machine default: all points in memory, searched exhaustively, persisted to one JSON
 * file under DATA_DIR after every write (written beside it, then renamed, so a crash never
 * leaves half a file). Sized for local use and tests, not for a production corpus.
 */
export class EmbeddedVectorStore implements VectorStore {
    readonly kind = "embedded";
    private readonly points = new Map<string, ChunkWithVector>();
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
        }
        return store;
    }

    get size(): number {
        return this.points.size;
    }

    async upsertDocument(docId: string, chunks: ChunkWithVector[]): Promise<void> {
        for (const [id, point] of this.points) {
            if (point.docId === docId && point.chunkIndex >= chunks.length) this.points.delete(id);
        }
        for (const chunk of chunks) this.points.set(chunk.id, chunk);
        await this.persist();
    }

    async query(vector: number[], limit: number): Promise<ScoredChunk[]> {
        const scored: ScoredChunk[] = [];
        for (const point of this.points.values()) {
            let score = 0;
            for (let i = 0; i < vector.length; i++) score += vector[i] * point.vector[i];
            if (score > 0) scored.push({ ...withoutVector(point), score });
        }
        return scored.sort((a, b) => b.score - a.score).slice(0, limit);
    }

    async check(): Promise<StoreStatus> {
        return { ok: true, detail: `embedded, ${this.points.size} chunks` };
    }

    async close(): Promise<void> {
        await this.writes;
    }

    /** Writes are chained so that two concurrent ingests never interleave their renames. */
    private persist(): Promise<void> {
        const snapshot: StoreFile = { version: 1, dimension: this.dimension, points: [...this.points.values()] };
        const next = this.writes.then(async () => {
            const target = join(this.dir, FILE_NAME);
            const temporary = `${target}.${process.pid}.tmp`;
            await writeFile(temporary, JSON.stringify(snapshot));
            await rename(temporary, target);
        });
        this.writes = next.catch(() => undefined);
        return next;
    }
}

function withoutVector(point: ChunkWithVector): Chunk {
    const { vector: _vector, ...chunk } = point;
    return chunk;
}
