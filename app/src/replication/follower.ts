import type { ObjectStore } from "../objectstore";
import type { VectorStore } from "../vectorstore/types";
import { applicableChunk } from "./chunks";
import { comparePositions, formatPosition, JournalCorruptError, type JournalEntry, type Position } from "./entry";
import type { JournalLocation } from "./journal";
import { loadSnapshotSet, newestSnapshotSet } from "./snapshots";

/** What the store remembers of its place in the history; kept in the store itself. */
export interface ReplicationMeta {
    /** The last entry applied (or covered by the loaded snapshot set); null before any. */
    position: Position | null;
    /** Set while this side writes the journal: its store then holds that epoch's entries without a position. */
    writerEpoch?: number;
    /** Entries this store applied that the newer epoch does not continue from (the window a promotion lost). */
    diverged?: number;
}

export const META_NAME = "replication";

/** Which location holds each epoch: epochs alternate between the two sides' journals. */
export type EpochMap = Map<number, JournalLocation>;

export async function readMeta(store: VectorStore, signal: AbortSignal): Promise<ReplicationMeta | undefined> {
    const value = await store.readMeta(META_NAME, signal);
    return value === undefined || value === null ? undefined : (value as ReplicationMeta);
}

export interface Progress {
    position: Position | null;
    applied: number;
    /** Entries seen but not applied yet (only counted up to the first page of each epoch). */
    pending: number;
    /** When the oldest pending entry was written on the active side; undefined when none is pending. */
    oldestPendingWrittenAt?: Date;
    bootstrapped?: { from: string; points: number; ms: number };
    /** The store's count of entries the newer epochs do not continue from. */
    diverged: number;
}

export interface FollowerHooks {
    applied(entry: JournalEntry): void;
    diverged(entries: number, at: Position): void;
}

const PAGE = 200;

/**
 * Applies journal entries in order, from the store's remembered position, across epochs: each
 * epoch's start entry names the position it continues from, so a new writer's history is joined
 * to the old one only where they meet. Everything it applies is an idempotent upsert, so an
 * entry applied twice (a crash between applying and remembering) has no further effect.
 */
export class Follower {
    constructor(
        private readonly store: VectorStore,
        private readonly snapshots: ObjectStore[],
        private readonly hooks: FollowerHooks,
    ) {}

    async advance(epochs: EpochMap, options: { apply: boolean; until?: Position }, signal: AbortSignal): Promise<Progress> {
        const meta = (await readMeta(this.store, signal)) ?? { position: null };
        const progress: Progress = { position: meta.position, applied: 0, pending: 0, diverged: meta.diverged ?? 0 };
        let position: Position;
        if (meta.position !== null) {
            position = meta.position;
        } else {
            if (!options.apply) return progress;
            const started = performance.now();
            const base = await this.bootstrap(epochs, signal);
            if (!base) return progress;
            position = base.position;
            await this.remember({ ...meta, position }, signal);
            progress.position = position;
            if (base.from) progress.bootstrapped = { from: base.from, points: base.points, ms: Math.round(performance.now() - started) };
        }
        for (;;) {
            const location = epochs.get(position.epoch);
            const next: Position[] = location ? await location.positionsAfter(position, PAGE, signal) : [];
            if (next.length > 0 && location) {
                if (!options.apply) {
                    progress.pending += next.length;
                    progress.oldestPendingWrittenAt ??= await writtenAt(location, next[0], signal);
                    return progress;
                }
                for (const p of next) {
                    if (options.until && comparePositions(p, options.until) > 0) return progress;
                    const entry = await location.read(p, signal);
                    if (!entry) throw new JournalCorruptError(`journal ${location.url} listed ${formatPosition(p)} but it cannot be read`);
                    progress.oldestPendingWrittenAt ??= new Date(entry.writtenAt);
                    if (entry.kind === "ops") {
                        await this.store.upsertDocuments(entry.ops.map(({ docId, chunks }) => ({ docId, chunks: chunks.map(applicableChunk) })), signal);
                    }
                    position = p;
                    await this.remember({ ...meta, position }, signal);
                    progress.position = position;
                    progress.applied++;
                    this.hooks.applied(entry);
                }
                continue;
            }
            // This epoch is read to its end: move into the next one if it continues from here.
            const current = position;
            const nextEpoch = [...epochs.keys()].filter((e) => e > current.epoch).sort((a, b) => a - b)[0];
            if (nextEpoch === undefined) {
                // The epoch being followed must still be somewhere: a journal that lists nothing
                // (a wrong prefix, an emptied bucket) must not read as "caught up".
                if (!location) throw new Error(`epoch ${current.epoch} is in none of the journals read; is the journal location right?`);
                progress.oldestPendingWrittenAt = undefined;
                return progress;
            }
            const start = await epochs.get(nextEpoch)!.read({ epoch: nextEpoch, seq: 0 }, signal);
            if (!start || start.kind !== "epoch-start") {
                throw new JournalCorruptError(`epoch ${nextEpoch} has no start entry; its history cannot be joined to ${formatPosition(position)}`);
            }
            if (start.continuesFrom === null) {
                throw new JournalCorruptError(`epoch ${nextEpoch} starts a new history; this store is at ${formatPosition(position)} of an older one: restore it from a snapshot set`);
            }
            const order = comparePositions(start.continuesFrom, position);
            if (order > 0) {
                throw new JournalCorruptError(
                    `epoch ${nextEpoch} continues from ${formatPosition(start.continuesFrom)}, but the journal before it ends at ${formatPosition(position)}: entries are missing`,
                );
            }
            if (order < 0) {
                const lost = start.continuesFrom.epoch === position.epoch ? position.seq - start.continuesFrom.seq : 1;
                meta.diverged = (meta.diverged ?? 0) + lost;
                progress.diverged = meta.diverged;
                this.hooks.diverged(lost, position);
            }
            if (!options.apply) {
                progress.pending++;
                progress.oldestPendingWrittenAt ??= new Date(start.writtenAt);
                return progress;
            }
            position = { epoch: nextEpoch, seq: 0 };
            await this.remember({ ...meta, position }, signal);
            progress.position = position;
        }
    }

    /** An empty store starts from the newest snapshot set, or from the journal's very beginning. */
    private async bootstrap(epochs: EpochMap, signal: AbortSignal): Promise<{ position: Position; from?: string; points: number } | undefined> {
        const set = await newestSnapshotSet(this.snapshots, signal);
        if (set) {
            const points = await loadSnapshotSet(set, this.store, signal);
            return { position: set.manifest.journal, from: `${set.from.url}/${set.manifest.setId}`, points };
        }
        const first = [...epochs.keys()].sort((a, b) => a - b)[0];
        if (first === undefined) return undefined; // no history yet: nothing to follow
        const start = await epochs.get(first)!.read({ epoch: first, seq: 0 }, signal);
        if (start?.kind === "epoch-start" && start.continuesFrom === null) return { position: { epoch: first, seq: 0 }, points: 0 };
        throw new JournalCorruptError(
            `cannot bootstrap: no snapshot set in ${this.snapshots.map((s) => s.url).join(", ") || "(no snapshot location)"} and the journal's beginning (epoch ${first}) has expired`,
        );
    }

    private remember(meta: ReplicationMeta, signal: AbortSignal): Promise<void> {
        return this.store.writeMeta(META_NAME, meta, signal);
    }
}

async function writtenAt(location: JournalLocation, position: Position, signal: AbortSignal): Promise<Date | undefined> {
    const entry = await location.read(position, signal);
    return entry ? new Date(entry.writtenAt) : undefined;
}
