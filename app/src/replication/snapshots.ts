import { randomBytes } from "node:crypto";
import type { ObjectStore } from "../objectstore";
import type { ChunkWithVector, VectorStore } from "../vectorstore/types";
import { applicableChunk } from "./chunks";
import { JournalCorruptError, sha256, type Position } from "./entry";

/** A logical snapshot set: every point with its vectors (dense tagged with its space, sparse), and the journal position it covers. */
export interface SnapshotManifest {
    format: 1;
    setId: string;
    createdAt: string;
    /** Every journal entry up to here is in the set: replay continues after it. */
    journal: Position;
    points: number;
    files: Array<{ key: string; sha256: string; bytes: number; points: number }>;
    complete: true;
}

const PAGE_SIZE = 1_000;

/**
 * Writes a set: the journal head is read before the first page, and every write reaches the
 * store before its journal entry, so the set holds at least everything up to that head. Parts
 * first, manifest last: a set without a manifest is an unfinished one and is never read.
 */
export async function writeSnapshotSet(
    store: VectorStore,
    target: ObjectStore,
    journalHead: Position,
    signal: AbortSignal,
): Promise<SnapshotManifest> {
    const setId = `${new Date().toISOString().replace(/[-:.]/g, "")}-${randomBytes(3).toString("hex")}`;
    const files: SnapshotManifest["files"] = [];
    let points = 0;
    for await (const page of store.scan(PAGE_SIZE, signal)) {
        if (page.length === 0) continue;
        const body = Buffer.from(page.map((c) => JSON.stringify(c)).join("\n"));
        const key = `${setId}/points-${String(files.length).padStart(6, "0")}.jsonl`;
        await target.put(key, body, signal);
        files.push({ key, sha256: sha256(body), bytes: body.length, points: page.length });
        points += page.length;
    }
    const manifest: SnapshotManifest = { format: 1, setId, createdAt: new Date().toISOString(), journal: journalHead, points, files, complete: true };
    await target.put(`${setId}/manifest.json`, Buffer.from(JSON.stringify(manifest, null, 2)), signal);
    return manifest;
}

/** The newest complete set across the locations (own cloud first), or undefined when there is none. */
export async function newestSnapshotSet(locations: ObjectStore[], signal: AbortSignal): Promise<{ manifest: SnapshotManifest; from: ObjectStore } | undefined> {
    let newest: { manifest: SnapshotManifest; from: ObjectStore } | undefined;
    for (const location of locations) {
        let dirs: string[];
        try {
            dirs = await location.listDirs("", signal);
        } catch {
            continue; // one unreachable location must not hide the sets in another
        }
        for (const dir of [...dirs].reverse()) {
            const bytes = await location.get(`${dir}manifest.json`, signal).catch(() => undefined);
            if (!bytes) continue;
            const manifest = JSON.parse(bytes.toString("utf8")) as SnapshotManifest;
            if (manifest.complete !== true || manifest.format !== 1) continue;
            if (!newest || manifest.createdAt > newest.manifest.createdAt) newest = { manifest, from: location };
            break; // ids sort by time: the first complete one from the end is this location's newest
        }
    }
    return newest;
}

/** Loads a set into the store, checking every part's checksum before any of it is written. */
export async function loadSnapshotSet(set: { manifest: SnapshotManifest; from: ObjectStore }, store: VectorStore, signal: AbortSignal): Promise<number> {
    let loaded = 0;
    for (const file of set.manifest.files) {
        const body = await set.from.get(file.key, signal);
        if (!body) throw new JournalCorruptError(`snapshot set ${set.manifest.setId} lacks ${file.key}`);
        if (sha256(body) !== file.sha256) throw new JournalCorruptError(`snapshot part ${file.key} fails its checksum`);
        const chunks = body
            .toString("utf8")
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => applicableChunk(JSON.parse(line) as ChunkWithVector));
        await store.upsertChunks(chunks, signal);
        loaded += chunks.length;
    }
    return loaded;
}
