import { createHash } from "node:crypto";
import type { ChunkWithVector } from "../vectorstore/types";

/** A place in the journal's history: the epoch (term of one writer side) and the entry within it. */
export interface Position {
    epoch: number;
    seq: number;
}

/**
 * One acknowledged document write, with everything needed to apply it without re-embedding:
 * each chunk's sparse vector, and its dense one (tagged with its space) when the provider
 * answered. Entries of older versions carry a single `vector` instead (replication/chunks.ts).
 */
export interface UpsertOp {
    op: "upsert";
    docId: string;
    chunks: ChunkWithVector[];
}

export type JournalOp = UpsertOp;

interface EntryCommon {
    epoch: number;
    seq: number;
    writtenAt: string;
}

export type JournalEntry =
    | (EntryCommon & { kind: "ops"; ops: JournalOp[] })
    /** Seq 0 of every epoch: where its history continues from (null: the history starts here). */
    | (EntryCommon & { kind: "epoch-start"; continuesFrom: Position | null })
    /** Written by a promotion into the old writer's epoch: nothing may be appended after it. */
    | (EntryCommon & { kind: "fence"; fencedBy: number });

/** The journal is damaged (a bad checksum, a truncated entry, a gap): the follower stops on it. */
export class JournalCorruptError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "JournalCorruptError";
    }
}

const FORMAT = 1;

/** Ordered keys: fixed-width numbers sort lexicographically in history order on every backend. */
export function epochDir(epoch: number): string {
    return `e${String(epoch).padStart(8, "0")}/`;
}

export function entryKey(position: Position): string {
    return `${epochDir(position.epoch)}${String(position.seq).padStart(12, "0")}.json`;
}

export function parseEpochDir(dir: string): number | undefined {
    const match = /^e(\d{8})\/$/.exec(dir);
    return match ? Number(match[1]) : undefined;
}

export function parseEntryKey(key: string): Position | undefined {
    const match = /^e(\d{8})\/(\d{12})\.json$/.exec(key);
    return match ? { epoch: Number(match[1]), seq: Number(match[2]) } : undefined;
}

export function comparePositions(a: Position, b: Position): number {
    return a.epoch - b.epoch || a.seq - b.seq;
}

export function formatPosition(p: Position | null | undefined): string {
    return p ? `${p.epoch}/${p.seq}` : "none";
}

/**
 * An entry is two lines: a header with the body's length and SHA-256, then the body. The checksum
 * covers the exact bytes written, so truncation and corruption are told apart from a valid entry
 * without re-serialising anything.
 */
export function encodeEntry(entry: JournalEntry): Buffer {
    const body = Buffer.from(JSON.stringify(entry));
    const header = JSON.stringify({ format: FORMAT, bytes: body.length, checksum: `sha256:${sha256(body)}` });
    return Buffer.concat([Buffer.from(`${header}\n`), body]);
}

export function decodeEntry(key: string, bytes: Buffer): JournalEntry {
    const newline = bytes.indexOf(0x0a);
    if (newline < 0) throw new JournalCorruptError(`journal entry ${key} has no header (truncated to ${bytes.length} bytes)`);
    let header: { format?: unknown; bytes?: unknown; checksum?: unknown };
    try {
        header = JSON.parse(bytes.subarray(0, newline).toString("utf8")) as typeof header;
    } catch {
        throw new JournalCorruptError(`journal entry ${key} has an unreadable header`);
    }
    if (header.format !== FORMAT) throw new JournalCorruptError(`journal entry ${key} has format ${String(header.format)}, this service reads ${FORMAT}`);
    const body = bytes.subarray(newline + 1);
    if (body.length !== header.bytes) {
        throw new JournalCorruptError(`journal entry ${key} is truncated: ${body.length} of ${String(header.bytes)} bytes`);
    }
    if (header.checksum !== `sha256:${sha256(body)}`) throw new JournalCorruptError(`journal entry ${key} fails its checksum`);
    const entry = JSON.parse(body.toString("utf8")) as JournalEntry;
    const position = parseEntryKey(key);
    if (!position || position.epoch !== entry.epoch || position.seq !== entry.seq) {
        throw new JournalCorruptError(`journal entry ${key} holds position ${entry.epoch}/${entry.seq}: it was moved or renamed`);
    }
    return entry;
}

export function sha256(bytes: Buffer | string): string {
    return createHash("sha256").update(bytes).digest("hex");
}
