import { access, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { damaged, StoreOpenError } from "./embedded-log";
import type { StoreRecord } from "./embedded";
import type { ChunkWithVector } from "./types";

/** The format before the log: one JSON file, rewritten whole on every write. */
const LEGACY_NAME = "vectors.json";
const LOG_NAME = "vectors.log";
const RECORD_CHUNKS = 1_000;

interface LegacyFile {
    version: 1;
    dimension: number;
    points: ChunkWithVector[];
    meta?: Record<string, unknown>;
}

/**
 * The old single file's content as log records, and a way to remove the file once the log holds
 * them. Undefined when there is nothing to migrate; a file left beside a log (a crash after the
 * migration's rename) is removed, since the log already has its content.
 */
export async function readLegacyFile(dir: string, dimension: number): Promise<{ records: StoreRecord[]; remove(): Promise<void> } | undefined> {
    const path = join(dir, LEGACY_NAME);
    // Temporary files of the old format's writes, left by a crash: never part of the store.
    for (const name of await readdir(dir)) {
        if (name.startsWith(`${LEGACY_NAME}.`) && name.endsWith(".tmp")) await unlink(join(dir, name)).catch(() => undefined);
    }
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined;
        throw error;
    });
    if (text === undefined) return undefined;
    const logExists = await access(join(dir, LOG_NAME)).then(
        () => true,
        () => false,
    );
    if (logExists) {
        await unlink(path);
        return undefined;
    }
    let file: LegacyFile;
    try {
        file = JSON.parse(text) as LegacyFile;
    } catch {
        throw damaged(path, "unparseable");
    }
    if (typeof file !== "object" || file === null || !Array.isArray(file.points) || typeof file.dimension !== "number") {
        throw damaged(path, "not a store file");
    }
    if (file.dimension !== dimension) {
        throw new StoreOpenError(`${path} holds ${file.dimension}-dimensional vectors, the embedding makes ${dimension}; move the file away to start afresh`);
    }
    const records: StoreRecord[] = [];
    for (let i = 0; i < file.points.length; i += RECORD_CHUNKS) records.push({ op: "chunks", chunks: file.points.slice(i, i + RECORD_CHUNKS) });
    for (const [name, value] of Object.entries(file.meta ?? {})) records.push({ op: "meta", name, value });
    return { records, remove: () => unlink(path) };
}
