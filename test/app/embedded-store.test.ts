import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EmbeddedVectorStore, StoreOpenError } from "../../app/src/vectorstore/embedded";
import type { ChunkWithVector } from "../../app/src/vectorstore/types";

const DIMENSION = 4;
const never = new AbortController().signal;
const fresh = () => mkdtempSync(join(tmpdir(), "langchain-ha-store-"));
const logOf = (dir: string) => join(dir, "vectors.log");

function chunks(docId: string, count: number, text = "text", extra: Record<string, unknown> = {}): ChunkWithVector[] {
    return Array.from({ length: count }, (_, chunkIndex) => ({
        id: `${docId}#${chunkIndex}`,
        docId,
        chunkIndex,
        text: `${text} ${chunkIndex}`,
        metadata: { n: chunkIndex },
        sparse: { indices: [0, 1], values: [1, chunkIndex] },
        ...extra,
    }));
}

async function contents(store: EmbeddedVectorStore): Promise<Map<string, ChunkWithVector>> {
    const all = new Map<string, ChunkWithVector>();
    for await (const page of store.scan(7, never)) for (const c of page) all.set(c.id, c);
    return all;
}

async function openQuietly(dir: string, options: { compactMinBytes?: number } = {}): Promise<{ store: EmbeddedVectorStore; warnings: string[] }> {
    const warnings: string[] = [];
    const store = await EmbeddedVectorStore.open(dir, DIMENSION, { warn: (m) => warnings.push(m), ...options });
    return { store, warnings };
}

async function openError(dir: string): Promise<StoreOpenError> {
    try {
        const { store } = await openQuietly(dir);
        await store.close();
    } catch (error) {
        assert.ok(error instanceof StoreOpenError, `expected a StoreOpenError, got ${String(error)}`);
        return error;
    }
    assert.fail("the store opened");
}

const temporaryFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith(".tmp"));

describe("embedded store: an append-only log", () => {
    it("keeps documents, their shorter versions and meta records across a reopen", async () => {
        const dir = fresh();
        const { store } = await openQuietly(dir);
        await store.upsertDocument("a", chunks("a", 5), never);
        await store.upsertDocument("b", chunks("b", 2), never);
        await store.upsertDocument("a", chunks("a", 2, "shorter"), never);
        await store.writeMeta("replication", { position: { epoch: 1, seq: 1 } }, never);
        await store.writeMeta("replication", { position: { epoch: 1, seq: 2 } }, never);
        await store.close();

        const { store: again, warnings } = await openQuietly(dir);
        const all = await contents(again);
        assert.deepEqual([...all.keys()].sort(), ["a#0", "a#1", "b#0", "b#1"]);
        assert.equal(all.get("a#1")?.text, "shorter 1");
        assert.deepEqual(await again.readMeta("replication", never), { position: { epoch: 1, seq: 2 } });
        assert.equal((await again.query({ sparse: { indices: [0], values: [1] } }, 10, never)).length, 4);
        assert.deepEqual(warnings, []);
        await again.close();
    });

    it("stores chunk records as given, whatever shape their vectors have", async () => {
        const dir = fresh();
        const { store } = await openQuietly(dir);
        const shaped = chunks("s", 1, "sparse", { sparse: { indices: [3, 9], values: [0.5, 0.25] } });
        await store.upsertChunks(shaped, never);
        await store.close();
        const { store: again } = await openQuietly(dir);
        assert.deepEqual((await contents(again)).get("s#0"), shaped[0]);
        await again.close();
    });

    it("appends instead of rewriting: a write adds about its own size to the file", async () => {
        const dir = fresh();
        const { store } = await openQuietly(dir);
        for (let i = 0; i < 50; i++) await store.upsertDocument(`d${i}`, chunks(`d${i}`, 3), never);
        const before = statSync(logOf(dir)).size;
        await store.upsertDocument("one-more", chunks("one-more", 3), never);
        const grown = statSync(logOf(dir)).size - before;
        assert.ok(grown < before / 20, `one document grew the file by ${grown} of ${before} bytes`);
        await store.close();
    });

    it("cuts off a torn last record with a warning: the interrupted batch is absent, every earlier one whole", async () => {
        const dir = fresh();
        const { store } = await openQuietly(dir);
        await store.upsertDocument("kept", chunks("kept", 3), never);
        const acknowledged = statSync(logOf(dir)).size;
        await store.upsertDocument("torn", chunks("torn", 40), never);
        await store.close();
        // A crash mid-append: only part of the last record reached the disk.
        truncateSync(logOf(dir), acknowledged + Math.floor((statSync(logOf(dir)).size - acknowledged) / 2));

        const { store: again, warnings } = await openQuietly(dir);
        assert.deepEqual([...(await contents(again)).keys()].sort(), ["kept#0", "kept#1", "kept#2"]);
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], new RegExp(`${logOf(dir)}: cut off a torn last record`));
        assert.equal(statSync(logOf(dir)).size, acknowledged);
        await again.upsertDocument("after", chunks("after", 1), never);
        await again.close();
        const { store: third, warnings: none } = await openQuietly(dir);
        assert.deepEqual([...(await contents(third)).keys()].sort(), ["after#0", "kept#0", "kept#1", "kept#2"]);
        assert.deepEqual(none, []);
        await third.close();
    });

    it("refuses a log damaged in the middle, naming the path and the way back, and leaves no temporary file", async () => {
        const dir = fresh();
        const { store } = await openQuietly(dir);
        await store.upsertDocument("first", chunks("first", 3), never);
        const middle = statSync(logOf(dir)).size + 40;
        await store.upsertDocument("second", chunks("second", 3), never);
        await store.upsertDocument("third", chunks("third", 3), never);
        await store.close();
        writeFileSync(join(dir, "vectors.log.compact-1234.tmp"), "left by a crash");
        const bytes = readFileSync(logOf(dir));
        bytes[middle] ^= 0xff;
        writeFileSync(logOf(dir), bytes);

        const error = await openError(dir);
        assert.equal(error.exitCode, 2);
        assert.doesNotMatch(error.message, /\n/);
        assert.match(error.message, new RegExp(`^${logOf(dir)} is damaged: a record that fails its checksum at byte \\d+, with records after it; move it aside`));
        assert.match(error.message, /npm run dr -- restore/);
        assert.deepEqual(temporaryFiles(dir), []);
        assert.equal(readFileSync(logOf(dir)).compare(bytes), 0, "the damaged file is left as it was");
    });

    it("refuses a log whose header cannot be read", async () => {
        const dir = fresh();
        const { store } = await openQuietly(dir);
        await store.close();
        const bytes = readFileSync(logOf(dir));
        bytes[bytes.length - 2] ^= 0xff; // inside the header record
        writeFileSync(logOf(dir), bytes);
        assert.match((await openError(dir)).message, /is damaged: unreadable header \(a record that fails its checksum\)/);
        writeFileSync(logOf(dir), "{ not a log");
        assert.match((await openError(dir)).message, /is damaged: it does not start like a store log/);
    });

    it("refuses a log written for another vector dimension", async () => {
        const dir = fresh();
        const other = await EmbeddedVectorStore.open(dir, 8, { warn: () => undefined });
        await other.close();
        assert.match((await openError(dir)).message, /holds 8-dimensional vectors, the embedding makes 4; move the file away/);
    });

    it("migrates the single-file format of earlier versions on first open, keeping points and meta", async () => {
        const dir = fresh();
        const points = [...chunks("old", 3), ...chunks("older", 2)];
        writeFileSync(join(dir, "vectors.json"), JSON.stringify({ version: 1, dimension: DIMENSION, points, meta: { replication: { position: { epoch: 2, seq: 9 } } } }));
        writeFileSync(join(dir, `vectors.json.${process.pid + 1}.tmp`), "half a write of the old format");
        const { store } = await openQuietly(dir);
        assert.deepEqual([...(await contents(store)).values()], points);
        assert.deepEqual(await store.readMeta("replication", never), { position: { epoch: 2, seq: 9 } });
        await store.upsertDocument("old", chunks("old", 1, "new"), never);
        await store.close();
        assert.deepEqual(readdirSync(dir).sort(), ["vectors.log"]);
        const { store: again } = await openQuietly(dir);
        assert.deepEqual([...(await contents(again)).keys()].sort(), ["old#0", "older#0", "older#1"]);
        await again.close();
    });

    it("refuses an unparseable file of the earlier format with the same one-line message", async () => {
        const dir = fresh();
        writeFileSync(join(dir, "vectors.json"), '{"version":1,"dimension":4,"points":[');
        const error = await openError(dir);
        assert.match(error.message, new RegExp(`^${join(dir, "vectors.json")} is damaged: unparseable; move it aside`));
        assert.equal(existsSync(logOf(dir)), false);
    });

    it("drops a queued write whose signal fires before its turn: it is never written", async () => {
        const dir = fresh();
        const { store } = await openQuietly(dir);
        const first = store.upsertDocument("first", chunks("first", 200), never);
        const cancel = new AbortController();
        const second = assert.rejects(store.upsertDocument("second", chunks("second", 2), cancel.signal), /deadline/);
        cancel.abort(new Error("deadline"));
        await first;
        await second;
        await assert.rejects(store.upsertDocument("late", chunks("late", 1), cancel.signal), /deadline/);
        await store.close();
        const { store: again } = await openQuietly(dir);
        const ids = [...(await contents(again)).keys()];
        assert.equal(ids.length, 200);
        assert.ok(ids.every((id) => id.startsWith("first#")));
        await again.close();
    });

    it("compacts once most of the log is overwritten records, keeping the live state and writes made meanwhile", async () => {
        const dir = fresh();
        const { store } = await openQuietly(dir, { compactMinBytes: 64 * 1024 });
        let largest = 0;
        for (let round = 0; round < 200; round++) {
            await store.upsertDocument("hot", chunks("hot", 20, `round ${round}`), never);
            await store.writeMeta("replication", { round }, never);
            largest = Math.max(largest, statSync(logOf(dir)).size);
        }
        // Writes while a compaction may be running.
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.upsertDocument(`cold-${i}`, chunks(`cold-${i}`, 2), never)));
        await store.close();
        const size = statSync(logOf(dir)).size;
        // 200 rounds of about 3 KB each: without compaction the log would pass 600 KB.
        assert.ok(largest < 160 * 1024, `the log grew to ${largest} bytes`);
        assert.deepEqual(temporaryFiles(dir), []);
        const { store: again } = await openQuietly(dir);
        const all = await contents(again);
        assert.equal(all.size, 20 + 20);
        assert.equal(all.get("hot#7")?.text, "round 199 7");
        assert.deepEqual(await again.readMeta("replication", never), { round: 199 });
        await again.close();
        assert.equal(statSync(logOf(dir)).size, size);
    });

    it("keeps every write acknowledged while a compaction of a larger store copies it", async () => {
        const dir = fresh();
        const { store } = await openQuietly(dir, { compactMinBytes: 256 * 1024 });
        for (let round = 0; round < 12; round++) {
            // A large rewrite makes the next compaction copy thousands of chunks, in slices; the small writes land meanwhile.
            await store.upsertDocument("hot", chunks("hot", 3_000, `round ${round}`), never);
            await Promise.all(Array.from({ length: 5 }, (_, i) => store.upsertDocument(`cold-${round}-${i}`, chunks(`cold-${round}-${i}`, 1), never)));
        }
        await store.close();
        const { store: again } = await openQuietly(dir);
        const all = await contents(again);
        assert.equal(all.size, 3_000 + 12 * 5);
        assert.equal(all.get("hot#2999")?.text, "round 11 2999");
        assert.ok(statSync(logOf(dir)).size < 3 * 1024 * 1024, `the log is ${statSync(logOf(dir)).size} bytes`);
        await again.close();
    });
});
