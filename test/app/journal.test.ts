import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, it } from "node:test";
import { lexicalSparseVector } from "../../app/src/embeddings/lexical";
import { LocalObjectStore } from "../../app/src/objectstore/local";
import { decodeEntry, encodeEntry, entryKey, JournalCorruptError, type JournalEntry } from "../../app/src/replication/entry";
import { Follower, readMeta, type EpochMap } from "../../app/src/replication/follower";
import { FencedError, JournalLocation, JournalWriter, upsertOp } from "../../app/src/replication/journal";
import { writeSnapshotSet } from "../../app/src/replication/snapshots";
import { EmbeddedVectorStore } from "../../app/src/vectorstore/embedded";
import type { ChunkWithVector } from "../../app/src/vectorstore/types";

const signal = AbortSignal.timeout(30_000);
const DIM = 4;

function tempDir(): string {
    return mkdtempSync(join(tmpdir(), "langchain-ha-journal-"));
}

function location(dir = tempDir()): { dir: string; journal: JournalLocation } {
    return { dir, journal: new JournalLocation(new LocalObjectStore(pathToFileURL(dir).href, dir)) };
}

function chunk(docId: string, text: string): ChunkWithVector {
    return { id: `${docId}-0`, docId, chunkIndex: 0, text, metadata: {}, sparse: lexicalSparseVector(text), dense: { space: "stand-in/concepts/4", values: [1, 0, 0, 0] } };
}

/** Every chunk whose text has the word "text" or "set": all the documents these tests write. */
const EVERYTHING = { sparse: lexicalSparseVector("text set third epoch") };

async function startEpoch(journal: JournalLocation, epoch: number, continuesFrom: { epoch: number; seq: number } | null = null): Promise<void> {
    await journal.create({ kind: "epoch-start", epoch, seq: 0, writtenAt: new Date().toISOString(), continuesFrom });
}

async function all(store: EmbeddedVectorStore): Promise<ChunkWithVector[]> {
    const chunks: ChunkWithVector[] = [];
    for await (const page of store.scan(100)) chunks.push(...page);
    return chunks;
}

const noHooks = { applied: () => undefined, diverged: () => undefined };

describe("journal entries", () => {
    const entry: JournalEntry = { kind: "ops", epoch: 3, seq: 7, writtenAt: "2026-11-30T00:00:00.000Z", ops: [upsertOp("a", [chunk("a", "alpha")])] };

    it("round-trips through the checksummed two-line encoding", () => {
        assert.deepEqual(decodeEntry(entryKey(entry), encodeEntry(entry)), entry);
        assert.equal(entryKey(entry), "e00000003/000000000007.json");
    });

    it("rejects a truncated entry, a changed byte and a renamed entry, each with its own message", () => {
        const bytes = encodeEntry(entry);
        assert.throws(() => decodeEntry(entryKey(entry), bytes.subarray(0, bytes.length - 5)), /is truncated: \d+ of \d+ bytes/);
        const flipped = Buffer.from(bytes);
        flipped[flipped.length - 3] ^= 0x01;
        assert.throws(() => decodeEntry(entryKey(entry), flipped), /fails its checksum/);
        assert.throws(() => decodeEntry("e00000003/000000000008.json", bytes), /holds position 3\/7: it was moved or renamed/);
        assert.throws(() => decodeEntry(entryKey(entry), Buffer.from("no header")), JournalCorruptError);
    });
});

describe("journal writer", () => {
    it("keeps seqs contiguous when two replicas append to one epoch at once", async () => {
        const { journal } = location();
        await startEpoch(journal, 1);
        const [a, b] = await Promise.all([JournalWriter.open(journal, 1, () => undefined), JournalWriter.open(journal, 1, () => undefined)]);
        const appended = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).append([upsertOp(`d${i}`, [chunk(`d${i}`, "x")])])));
        const positions = await journal.positionsAfter({ epoch: 1, seq: 0 });
        assert.deepEqual(positions.map((p) => p.seq), Array.from({ length: positions.length }, (_, i) => i + 1));
        // Group commit may put several batches in one entry, but every batch is in exactly one entry.
        const docs: string[] = [];
        for (const p of positions) {
            const e = await journal.read(p);
            if (e?.kind === "ops") docs.push(...e.ops.map((o) => o.docId));
        }
        assert.deepEqual(docs.sort(), Array.from({ length: 20 }, (_, i) => `d${i}`).sort());
        assert.ok(appended.every((p) => p.epoch === 1 && p.seq >= 1));
    });

    it("stops appending once a promotion fenced its epoch", async () => {
        const { journal } = location();
        await startEpoch(journal, 1);
        let fencedBy: number | undefined;
        const writer = await JournalWriter.open(journal, 1, (by) => (fencedBy = by));
        await writer.append([upsertOp("a", [chunk("a", "before")])]);
        await journal.create({ kind: "fence", epoch: 1, seq: 2, writtenAt: new Date().toISOString(), fencedBy: 2 });
        await assert.rejects(writer.append([upsertOp("b", [chunk("b", "after")])]), FencedError);
        assert.equal(fencedBy, 2);
        assert.equal((await journal.head(1))?.seq, 2, "nothing was appended after the fence");
        await assert.rejects(writer.append([upsertOp("c", [chunk("c", "later")])]), /fenced: epoch 2 is the writer now/);
    });
});

describe("follower", () => {
    async function journalWith(docs: string[]): Promise<{ dir: string; journal: JournalLocation; epochs: EpochMap }> {
        const loc = location();
        await startEpoch(loc.journal, 1);
        const writer = await JournalWriter.open(loc.journal, 1, () => undefined);
        for (const d of docs) await writer.append([upsertOp(d, [chunk(d, `text of ${d}`)])]);
        return { ...loc, epochs: new Map([[1, loc.journal]]) };
    }

    it("applies every entry in order and remembers its position in the store", async () => {
        const { epochs } = await journalWith(["a", "b", "c"]);
        const store = await EmbeddedVectorStore.open(tempDir(), DIM);
        const progress = await new Follower(store, [], noHooks).advance(epochs, { apply: true }, signal);
        assert.equal(progress.applied, 3);
        assert.deepEqual(progress.position, { epoch: 1, seq: 3 });
        assert.deepEqual((await readMeta(store, signal))?.position, { epoch: 1, seq: 3 });
        assert.deepEqual((await store.query(EVERYTHING, 10)).map((c) => c.docId).sort(), ["a", "b", "c"]);
    });

    it("continues after a restart from the remembered position, applying nothing twice", async () => {
        const { journal, epochs } = await journalWith(["a", "b"]);
        const dataDir = tempDir();
        let applied: number[] = [];
        const hooks = { ...noHooks, applied: (e: JournalEntry) => applied.push(e.seq) };
        const first = await EmbeddedVectorStore.open(dataDir, DIM);
        await new Follower(first, [], hooks).advance(epochs, { apply: true }, signal);
        await first.close();
        const writer = await JournalWriter.open(journal, 1, () => undefined);
        await writer.append([upsertOp("c", [chunk("c", "third")])]);
        applied = [];
        const reopened = await EmbeddedVectorStore.open(dataDir, DIM);
        const progress = await new Follower(reopened, [], hooks).advance(epochs, { apply: true }, signal);
        assert.deepEqual(applied, [3]);
        assert.deepEqual(progress.position, { epoch: 1, seq: 3 });
    });

    it("stops on a gap instead of skipping it", async () => {
        const { dir, epochs } = await journalWith(["a", "b", "c"]);
        rmSync(join(dir, "e00000001", "000000000002.json"));
        const store = await EmbeddedVectorStore.open(tempDir(), DIM);
        await assert.rejects(new Follower(store, [], noHooks).advance(epochs, { apply: true }, signal), /gap in epoch 1: entry 2 is missing before 3/);
        assert.deepEqual((await readMeta(store, signal))?.position, { epoch: 1, seq: 1 }, "applied up to the gap, not past it");
    });

    it("stops on a corrupted entry and leaves its position before it", async () => {
        const { dir, epochs } = await journalWith(["a", "b"]);
        const file = join(dir, "e00000001", "000000000002.json");
        writeFileSync(file, readFileSync(file).subarray(0, 40));
        const store = await EmbeddedVectorStore.open(tempDir(), DIM);
        await assert.rejects(new Follower(store, [], noHooks).advance(epochs, { apply: true }, signal), /000000000002.json has no header|is truncated/);
        assert.deepEqual((await readMeta(store, signal))?.position, { epoch: 1, seq: 1 });
    });

    it("bootstraps an empty store from the newest snapshot set, then replays only what came after it", async () => {
        const { journal, epochs } = await journalWith(["a", "b"]);
        const source = await EmbeddedVectorStore.open(tempDir(), DIM);
        await new Follower(source, [], noHooks).advance(epochs, { apply: true }, signal);
        const snapshotsDir = tempDir();
        const snapshots = new LocalObjectStore(pathToFileURL(snapshotsDir).href, snapshotsDir);
        const manifest = await writeSnapshotSet(source, snapshots, { epoch: 1, seq: 2 }, signal);
        assert.equal(manifest.points, 2);
        // The journal's beginning expires; only the set and the entries after it remain.
        rmSync(join(journal.url.replace("file://", ""), "e00000001", "000000000000.json"));
        rmSync(join(journal.url.replace("file://", ""), "e00000001", "000000000001.json"));
        rmSync(join(journal.url.replace("file://", ""), "e00000001", "000000000002.json"));
        await journal.create({ kind: "ops", epoch: 1, seq: 3, writtenAt: new Date().toISOString(), ops: [upsertOp("c", [chunk("c", "after the set")])] });
        let applied = 0;
        const target = await EmbeddedVectorStore.open(tempDir(), DIM);
        const progress = await new Follower(target, [snapshots], { ...noHooks, applied: () => applied++ }).advance(epochs, { apply: true }, signal);
        assert.equal(progress.bootstrapped?.points, 2);
        assert.equal(applied, 1, "only the entry after the set was replayed");
        assert.deepEqual(progress.position, { epoch: 1, seq: 3 });
        assert.deepEqual((await target.query(EVERYTHING, 10)).map((c) => c.docId).sort(), ["a", "b", "c"]);
        const loaded = (await all(target)).find((c) => c.docId === "a");
        assert.deepEqual(loaded?.dense, chunk("a", "text of a").dense, "the set carried the dense vector with its space");
        assert.deepEqual(loaded?.sparse, lexicalSparseVector("text of a"), "and the sparse one");
    });

    it("applies entries of the version before named vectors (one `vector`, no sparse): the sparse vector is made from the text", async () => {
        const { journal, epochs } = await journalWith(["a"]);
        const legacy = { id: "b-0", docId: "b", chunkIndex: 0, text: "an older entry about shards", metadata: {}, vector: new Array<number>(512).fill(0.01) };
        await journal.create({ kind: "ops", epoch: 1, seq: 2, writtenAt: new Date().toISOString(), ops: [{ op: "upsert", docId: "b", chunks: [legacy as ChunkWithVector] }] });
        const store = await EmbeddedVectorStore.open(tempDir(), DIM);
        const progress = await new Follower(store, [], noHooks).advance(epochs, { apply: true }, signal);
        assert.deepEqual(progress.position, { epoch: 1, seq: 2 });
        const [found] = await store.query({ sparse: lexicalSparseVector("shards") }, 1);
        assert.equal(found?.docId, "b");
        const stored = (await all(store)).find((c) => c.docId === "b") as ChunkWithVector & { vector?: unknown };
        assert.deepEqual(stored.sparse, lexicalSparseVector(legacy.text));
        assert.equal(stored.vector, undefined, "the old field is not carried on");
        assert.equal(stored.dense, undefined);
    });

    it("refuses to bootstrap when there is no snapshot set and the journal's beginning has expired", async () => {
        const { dir, epochs } = await journalWith(["a"]);
        rmSync(join(dir, "e00000001", "000000000000.json"));
        const store = await EmbeddedVectorStore.open(tempDir(), DIM);
        await assert.rejects(new Follower(store, [], noHooks).advance(epochs, { apply: true }, signal), /cannot bootstrap: no snapshot set .* beginning \(epoch 1\) has expired/);
    });

    it("crosses into a newer epoch where it continues from, and counts what the old side wrote beyond it", async () => {
        const { epochs } = await journalWith(["a", "b", "c"]);
        const other = location();
        await startEpoch(other.journal, 2, { epoch: 1, seq: 2 }); // promoted after applying 1/2 only
        const writer = await JournalWriter.open(other.journal, 2, () => undefined);
        await writer.append([upsertOp("d", [chunk("d", "new epoch")])]);
        epochs.set(2, other.journal);
        const diverged: number[] = [];
        const store = await EmbeddedVectorStore.open(tempDir(), DIM);
        const progress = await new Follower(store, [], { ...noHooks, diverged: (n) => diverged.push(n) }).advance(epochs, { apply: true }, signal);
        assert.deepEqual(progress.position, { epoch: 2, seq: 1 });
        assert.deepEqual(diverged, [1], "entry 1/3 is not in epoch 2's history");
        assert.equal((await readMeta(store, signal))?.diverged, 1);
    });
});

describe("journal expiry", () => {
    it("an epoch whose entries all expired keeps its head through its marker: the writer continues after it", async () => {
        const { dir, journal } = location();
        await startEpoch(journal, 1);
        const writer = await JournalWriter.open(journal, 1, () => undefined);
        for (const d of ["a", "b"]) await writer.append([upsertOp(d, [chunk(d, d)])]);
        await journal.markEpoch({ epoch: 1, seq: 2 });
        for (const seq of [0, 1, 2]) rmSync(join(dir, "e00000001", `00000000000${seq}.json`));
        assert.deepEqual(await journal.epochs(), [1], "the epoch is still listed");
        assert.deepEqual(await journal.head(1), { epoch: 1, seq: 2 });
        const reopened = await JournalWriter.open(journal, 1, () => undefined);
        assert.deepEqual(await reopened.append([upsertOp("c", [chunk("c", "c")])]), { epoch: 1, seq: 3 }, "numbering continues, so a follower at 1/2 sees it");
    });
});
