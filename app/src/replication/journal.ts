import type { ObjectStore } from "../objectstore";
import type { ChunkWithVector } from "../vectorstore/types";
import {
    decodeEntry,
    encodeEntry,
    entryKey,
    epochDir,
    JournalCorruptError,
    parseEntryKey,
    parseEpochDir,
    type JournalEntry,
    type JournalOp,
    type Position,
} from "./entry";

/** Not an entry name (entries are 12 digits): listings of entries pass over it. */
const EPOCH_MARKER = "epoch.json";

/** One side's journal in object storage: epochs as directories, entries as create-once objects. */
export class JournalLocation {
    constructor(readonly store: ObjectStore) {}

    get url(): string {
        return this.store.url;
    }

    async epochs(signal?: AbortSignal): Promise<number[]> {
        const dirs = await this.store.listDirs("", signal);
        return dirs.flatMap((d) => {
            const epoch = parseEpochDir(d);
            return epoch === undefined ? [] : [epoch];
        });
    }

    /** Positions of the entries after `position` in its epoch, in order, up to the first gap (which throws). */
    async positionsAfter(position: Position, limit?: number, signal?: AbortSignal): Promise<Position[]> {
        const keys = await this.store.list(epochDir(position.epoch), { startAfter: entryKey(position), limit, signal });
        const positions: Position[] = [];
        let expected = position.seq + 1;
        for (const key of keys) {
            const p = parseEntryKey(key);
            if (!p) continue; // not an entry (a stray object someone put there)
            if (p.seq !== expected) {
                // Hand out what comes before the gap; the next call starts at the gap and throws.
                if (positions.length > 0) return positions;
                throw new JournalCorruptError(`journal ${this.url} has a gap in epoch ${p.epoch}: entry ${expected} is missing before ${p.seq}`);
            }
            positions.push(p);
            expected++;
        }
        return positions;
    }

    /**
     * The last entry of an epoch; when every entry has expired, the head its marker recorded
     * (no entry was written since, or it would still be there); undefined for an empty epoch.
     */
    async head(epoch: number, signal?: AbortSignal): Promise<Position | undefined> {
        const positions = await this.positionsAfter({ epoch, seq: -1 }, undefined, signal);
        const last = positions.at(-1);
        if (last) return last;
        const marker = await this.store.get(`${epochDir(epoch)}${EPOCH_MARKER}`, signal);
        if (!marker) return undefined;
        const { head } = JSON.parse(marker.toString("utf8")) as { head?: unknown };
        return typeof head === "number" ? { epoch, seq: head } : undefined;
    }

    async read(position: Position, signal?: AbortSignal): Promise<JournalEntry | undefined> {
        const key = entryKey(position);
        const bytes = await this.store.get(key, signal);
        return bytes === undefined ? undefined : decodeEntry(key, bytes);
    }

    /**
     * A small object in the epoch's folder that is not an entry: it keeps the epoch listed, and
     * its head known, after the entries themselves expired.
     */
    markEpoch(head: Position, signal?: AbortSignal): Promise<void> {
        const body = { epoch: head.epoch, head: head.seq, refreshedAt: new Date().toISOString() };
        return this.store.put(`${epochDir(head.epoch)}${EPOCH_MARKER}`, Buffer.from(JSON.stringify(body)), signal);
    }

    create(entry: JournalEntry, signal?: AbortSignal): Promise<"created" | "exists"> {
        return this.store.putIfAbsent(entryKey(entry), encodeEntry(entry), signal);
    }
}

/** The writer side saw a fence or a newer epoch: this side must not accept writes any more. */
export class FencedError extends Error {
    constructor(readonly byEpoch: number) {
        super(`this side was fenced: epoch ${byEpoch} is the writer now`);
        this.name = "FencedError";
    }
}

/** How often a writer re-reads the head after losing a race before it gives up on a batch. */
const MAX_RACES = 50;

interface Waiter {
    ops: JournalOp[];
    resolve: (position: Position) => void;
    reject: (error: unknown) => void;
}

/**
 * Appends to one epoch of this side's journal. Several replicas append to the same epoch: each
 * entry is a create-once object at head + 1, and a writer that loses the race re-reads the head
 * and tries the next seq, so seqs stay contiguous and ordered. Batches that arrive while a write
 * is in flight are committed together in the next entry (group commit).
 */
export class JournalWriter {
    private queue: Waiter[] = [];
    private flushing = false;
    private fencedBy?: number;

    constructor(
        private readonly location: JournalLocation,
        readonly epoch: number,
        private headSeq: number,
        private readonly onFenced: (byEpoch: number) => void,
    ) {}

    /** Opens the writer at the current head of `epoch` (which must have its epoch-start entry). */
    static async open(location: JournalLocation, epoch: number, onFenced: (byEpoch: number) => void): Promise<JournalWriter> {
        const head = await location.head(epoch);
        if (!head) throw new Error(`epoch ${epoch} has no start entry in ${location.url}`);
        return new JournalWriter(location, epoch, head.seq, onFenced);
    }

    /** The last entry this writer knows of in its epoch. */
    get head(): Position {
        return { epoch: this.epoch, seq: this.headSeq };
    }

    get fenced(): boolean {
        return this.fencedBy !== undefined;
    }

    append(ops: JournalOp[]): Promise<Position> {
        if (this.fencedBy !== undefined) return Promise.reject(new FencedError(this.fencedBy));
        return new Promise((resolve, reject) => {
            this.queue.push({ ops, resolve, reject });
            void this.flush();
        });
    }

    /** Stops accepting appends: a newer epoch was seen elsewhere. */
    fence(byEpoch: number): void {
        if (this.fencedBy !== undefined) return;
        this.fencedBy = byEpoch;
        for (const waiter of this.queue.splice(0)) waiter.reject(new FencedError(byEpoch));
        this.onFenced(byEpoch);
    }

    private async flush(): Promise<void> {
        if (this.flushing) return;
        this.flushing = true;
        try {
            while (this.queue.length > 0 && this.fencedBy === undefined) {
                const batch = this.queue.splice(0);
                try {
                    const position = await this.write(batch.flatMap((w) => w.ops));
                    for (const waiter of batch) waiter.resolve(position);
                } catch (error) {
                    for (const waiter of batch) waiter.reject(error);
                }
            }
        } finally {
            this.flushing = false;
        }
    }

    private async write(ops: JournalOp[]): Promise<Position> {
        for (let race = 0; race < MAX_RACES; race++) {
            const seq = this.headSeq + 1;
            const entry: JournalEntry = { kind: "ops", epoch: this.epoch, seq, writtenAt: new Date().toISOString(), ops };
            if ((await this.location.create(entry)) === "created") {
                this.headSeq = seq;
                return { epoch: this.epoch, seq };
            }
            // Another replica (or a promotion's fence) took this seq: find the new head and
            // stop if the newest entry is a fence.
            const newer = await this.location.positionsAfter({ epoch: this.epoch, seq: this.headSeq });
            const last = newer.at(-1);
            if (last) {
                const newest = await this.location.read(last);
                if (newest?.kind === "fence") {
                    this.fence(newest.fencedBy);
                    throw new FencedError(newest.fencedBy);
                }
                this.headSeq = last.seq;
            }
        }
        throw new Error(`lost the race for the next journal entry ${MAX_RACES} times in a row in ${this.location.url}`);
    }
}

/** The op a document write becomes in the journal. */
export function upsertOp(docId: string, chunks: ChunkWithVector[]): JournalOp {
    return { op: "upsert", docId, chunks };
}
