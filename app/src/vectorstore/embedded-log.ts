import { closeSync, fsyncSync, openSync } from "node:fs";
import { open, readdir, readFile, rename, unlink, type FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crc32 } from "node:zlib";

/**
 * The embedded store's file: an append-only log of framed records. The file starts with MAGIC,
 * then a header record, then one record per acknowledged write. A frame is
 *   u32 payload length | u32 CRC-32 of the payload | u32 CRC-32 of the first eight bytes | payload
 * (little endian), so a damaged length is caught before it is trusted. A record is appended and
 * fsynced before its write is acknowledged; a crash mid-append leaves at most a torn last record,
 * which the next open cuts off.
 */
const MAGIC = Buffer.from("LCHA-LOG1\n");
const FRAME_BYTES = 12;

/** How an operator gets a store back: in one line, after the path. */
const RECOVERY_HINT =
    "move it aside (keep it for inspection) and start again: an empty store is refilled from the newest snapshot set and the change journal (npm run dr -- restore)";

/** The store's file cannot be used as it is; start-up stops with exit code 2 and this one line. */
export class StoreOpenError extends Error {
    readonly exitCode = 2;
    constructor(message: string) {
        super(message);
        this.name = "StoreOpenError";
    }
}

export const damaged = (path: string, what: string): StoreOpenError => new StoreOpenError(`${path} is damaged: ${what}; ${RECOVERY_HINT}`);

export function frame(payload: Buffer): Buffer {
    const out = Buffer.allocUnsafe(FRAME_BYTES + payload.length);
    out.writeUInt32LE(payload.length, 0);
    out.writeUInt32LE(crc32(payload), 4);
    out.writeUInt32LE(crc32(out.subarray(0, 8)), 8);
    payload.copy(out, FRAME_BYTES);
    return out;
}

type FrameRead = { ok: true; payload: Buffer; next: number } | { ok: false; why: string };

function readFrame(buffer: Buffer, at: number): FrameRead {
    if (buffer.length - at < FRAME_BYTES) return { ok: false, why: "an incomplete record header" };
    if (buffer.readUInt32LE(at + 8) !== crc32(buffer.subarray(at, at + 8))) return { ok: false, why: "a record header that fails its checksum" };
    const length = buffer.readUInt32LE(at);
    const end = at + FRAME_BYTES + length;
    if (end > buffer.length) return { ok: false, why: "a record cut short" };
    const payload = buffer.subarray(at + FRAME_BYTES, end);
    if (buffer.readUInt32LE(at + 4) !== crc32(payload)) return { ok: false, why: "a record that fails its checksum" };
    return { ok: true, payload, next: end };
}

/** Is there a whole, valid record anywhere after `from`? Then the bad bytes before it are damage, not a torn append. */
function validRecordAfter(buffer: Buffer, from: number): boolean {
    for (let at = from; at + FRAME_BYTES <= buffer.length; at++) {
        // The length check first: it rules out almost every offset without computing a checksum.
        if (at + FRAME_BYTES + buffer.readUInt32LE(at) > buffer.length) continue;
        if (readFrame(buffer, at).ok) return true;
    }
    return false;
}

export interface Replayed {
    header: unknown;
    records: Buffer[];
    /** A torn last append that was cut off: where, and how many bytes. */
    torn?: { at: number; bytes: number; why: string };
}

/** Reads a whole log; throws StoreOpenError for anything but a torn tail. */
export function parseLog(path: string, buffer: Buffer): Replayed {
    if (buffer.length < MAGIC.length || !buffer.subarray(0, MAGIC.length).equals(MAGIC)) throw damaged(path, "it does not start like a store log");
    const first = readFrame(buffer, MAGIC.length);
    if (!first.ok) throw damaged(path, `unreadable header (${first.why})`);
    let header: unknown;
    try {
        header = JSON.parse(first.payload.toString("utf8"));
    } catch {
        throw damaged(path, "unparseable header");
    }
    const records: Buffer[] = [];
    let at = first.next;
    while (at < buffer.length) {
        const read = readFrame(buffer, at);
        if (read.ok) {
            records.push(read.payload);
            at = read.next;
            continue;
        }
        if (validRecordAfter(buffer, at + 1)) throw damaged(path, `${read.why} at byte ${at}, with records after it`);
        return { header, records, torn: { at, bytes: buffer.length - at, why: read.why } };
    }
    return { header, records };
}

/** fsync of a directory: makes a rename or a new file in it durable. */
function syncDirectory(dir: string): void {
    const fd = openSync(dir, "r");
    try {
        fsyncSync(fd);
    } finally {
        closeSync(fd);
    }
}

async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
        done += bytesWritten;
    }
}

/** Temporary files this module writes beside a log; any found at open are left from a crash. */
const temporaryName = (path: string, purpose: string) => `${path}.${purpose}-${process.pid}.tmp`;
const isTemporaryOf = (path: string, name: string) => name.startsWith(`${basename(path)}.`) && name.endsWith(".tmp");

/**
 * Writes a complete new log aside, fsyncs it, renames it over `path` and fsyncs the directory:
 * either the old file or the whole new one is there after a crash, never half of either.
 */
export async function writeLogFile(path: string, header: unknown, payloads: AsyncIterable<Buffer> | Iterable<Buffer>, purpose: string): Promise<{ bytes: number; tmp: string; handle: FileHandle }> {
    const tmp = temporaryName(path, purpose);
    const handle = await open(tmp, "w+");
    try {
        let bytes = 0;
        let batch: Buffer[] = [MAGIC, frame(Buffer.from(JSON.stringify(header)))];
        let batchBytes = 0;
        const flush = async () => {
            const all = Buffer.concat(batch);
            await writeAll(handle, all, bytes);
            bytes += all.length;
            batch = [];
            batchBytes = 0;
        };
        for await (const payload of payloads) {
            const framed = frame(payload);
            batch.push(framed);
            batchBytes += framed.length;
            if (batchBytes > 4 * 1024 * 1024) await flush();
        }
        await flush();
        return { bytes, tmp, handle };
    } catch (error) {
        await handle.close().catch(() => undefined);
        await unlink(tmp).catch(() => undefined);
        throw error;
    }
}

interface Pending {
    framed: Buffer;
    signal: AbortSignal;
    onDurable: () => void;
    resolve: () => void;
    reject: (error: unknown) => void;
}

export interface OpenedLog {
    log: AppendLog;
    replayed: Replayed;
}

/**
 * Appends with group commit: writes queued while an fsync runs go out together in the next
 * write and fsync, each in its own frame. A queued write whose signal has fired by the time
 * the next group is formed is dropped and never reaches the file; once taken, its outcome is
 * the group's.
 */
export class AppendLog {
    private pending: Pending[] = [];
    private flushing: Promise<void> | undefined;
    /** While set, the flush loop is held (the swap at the end of a compaction). */
    private held: Promise<void> | undefined;
    /** Frames made durable since a compaction took its point-in-time copy. */
    private sinceCopy: Buffer[] | undefined;
    private broken: Error | undefined;

    private constructor(
        readonly path: string,
        private handle: FileHandle,
        private bytes: number,
        private readonly header: unknown,
    ) {}

    /** Set once a failed write could not be cut back off the file: every later write is refused. */
    get failure(): Error | undefined {
        return this.broken;
    }

    /** Size of the file in bytes, all of it acknowledged. */
    get size(): number {
        return this.bytes;
    }

    /**
     * Opens the log at `path`: replays it (cutting off a torn tail, which `warn` reports), or
     * creates it, from `initial` records when given (a migration), with `header`.
     */
    static async open(
        path: string,
        header: unknown,
        warn: (message: string) => void,
        initial?: () => Promise<Iterable<Buffer>>,
    ): Promise<OpenedLog> {
        await removeLeftovers(path);
        let buffer = await readFile(path).catch((error: NodeJS.ErrnoException) => {
            if (error.code === "ENOENT") return undefined;
            throw error;
        });
        if (buffer === undefined) {
            const written = await writeLogFile(path, header, initial ? await initial() : [], "new");
            await written.handle.sync();
            await written.handle.close();
            await rename(written.tmp, path);
            syncDirectory(dirname(path));
            buffer = await readFile(path);
        }
        const replayed = parseLog(path, buffer);
        const handle = await open(path, "r+");
        if (replayed.torn) {
            await handle.truncate(replayed.torn.at);
            await handle.sync();
            warn(`${path}: cut off a torn last record (${replayed.torn.bytes} bytes at byte ${replayed.torn.at}, ${replayed.torn.why}): a write interrupted by a crash, never acknowledged`);
        }
        return { log: new AppendLog(path, handle, replayed.torn ? replayed.torn.at : buffer.length, replayed.header), replayed };
    }

    /**
     * Appends one record; resolves once it is on disk, after `onDurable` ran (in log order,
     * synchronously, so memory follows the file exactly). Rejects without writing anything when
     * `signal` fires first.
     */
    append(payload: Buffer, signal: AbortSignal, onDurable: () => void): Promise<void> {
        if (this.broken) return Promise.reject(this.broken);
        if (signal.aborted) return Promise.reject(signal.reason);
        return new Promise<void>((resolve, reject) => {
            this.pending.push({ framed: frame(payload), signal, onDurable, resolve, reject });
            this.kick();
        });
    }

    private kick(): void {
        if (this.flushing || this.held || this.pending.length === 0) return;
        this.flushing = this.flushGroups().finally(() => {
            this.flushing = undefined;
            this.kick();
        });
    }

    private async flushGroups(): Promise<void> {
        while (this.pending.length > 0 && !this.held) {
            // Signals are looked at when a group is formed, not listened to: a queued write is
            // rejected at most one fsync after its signal fired, and a signal shared by many
            // writes (a follower's) carries no listener per write.
            const group: Pending[] = [];
            for (const item of this.pending) {
                if (item.signal.aborted) item.reject(item.signal.reason);
                else group.push(item);
            }
            this.pending = [];
            if (group.length === 0) continue;
            const bytes = Buffer.concat(group.map((item) => item.framed));
            try {
                if (this.broken) throw this.broken;
                await writeAll(this.handle, bytes, this.bytes);
                await this.handle.datasync();
            } catch (error) {
                await this.undoPartialWrite(error);
                for (const item of group) item.reject(error);
                continue;
            }
            this.bytes += bytes.length;
            for (const item of group) {
                this.sinceCopy?.push(item.framed);
                item.onDurable();
                item.resolve();
            }
        }
    }

    /** Refuses every later write, and writes still queued, with `error` (the store's lock was lost). */
    refuse(error: Error): void {
        this.broken ??= error;
    }

    /** A failed write may have left part of a group: cut it off, or refuse every later write when even that fails. */
    private async undoPartialWrite(cause: unknown): Promise<void> {
        try {
            await this.handle.truncate(this.bytes);
            await this.handle.datasync();
        } catch {
            this.broken = new Error(`${this.path} could not be restored after a failed write; restart the service`, { cause });
        }
    }

    /**
     * Rewrites the log from `records` (the live state, copied by the caller at the moment
     * `begin` returns) plus every record made durable meanwhile; then swaps the files.
     */
    async compact(copy: () => AsyncIterable<Buffer>): Promise<{ before: number; after: number }> {
        const before = this.bytes;
        this.sinceCopy = [];
        let written: Awaited<ReturnType<typeof writeLogFile>> | undefined;
        try {
            written = await writeLogFile(this.path, this.header, copy(), "compact");
            let release!: () => void;
            this.held = new Promise<void>((resolve) => (release = resolve));
            try {
                await this.flushing;
                const tail = Buffer.concat(this.sinceCopy);
                await writeAll(written.handle, tail, written.bytes);
                await written.handle.sync();
                // A log that refuses writes (its lock lost) is never swapped: another process may own the file now.
                if (this.broken) throw this.broken;
                await rename(written.tmp, this.path);
                syncDirectory(dirname(this.path));
                const old = this.handle;
                this.handle = written.handle;
                this.bytes = written.bytes + tail.length;
                written = undefined;
                await old.close().catch(() => undefined);
            } finally {
                this.held = undefined;
                release();
                this.kick();
            }
            return { before, after: this.bytes };
        } finally {
            this.sinceCopy = undefined;
            if (written) {
                await written.handle.close().catch(() => undefined);
                await unlink(written.tmp).catch(() => undefined);
            }
        }
    }

    /** Waits for queued writes, then closes the file. */
    async close(): Promise<void> {
        while (this.flushing || this.pending.length > 0) {
            this.kick();
            await this.flushing;
        }
        await this.handle.close();
    }
}

/** Temporary files of an earlier process that crashed while writing one: never part of the store. */
async function removeLeftovers(path: string): Promise<void> {
    const names = await readdir(dirname(path)).catch(() => [] as string[]);
    for (const name of names) if (isTemporaryOf(path, name)) await unlink(join(dirname(path), name)).catch(() => undefined);
}
