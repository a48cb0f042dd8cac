import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { AppendLog } from "../../app/src/vectorstore/embedded-log";
import { EmbeddedVectorStore, StoreOpenError } from "../../app/src/vectorstore/embedded";
import type { Holder } from "../../app/src/vectorstore/store-lock";
import { eventually } from "./support/service";

/** One process per DATA_DIR: what a second opener gets, and what a holder does when its lock is gone. */

const DIMENSION = 4;
const never = new AbortController().signal;
const fresh = () => mkdtempSync(join(tmpdir(), "langchain-ha-lock-"));
const lockOf = (dir: string) => join(dir, "vectors.log.lock");
const chunk = (docId: string) => [{ id: `${docId}#0`, docId, chunkIndex: 0, text: `text of ${docId}`, metadata: {}, sparse: { indices: [0], values: [1] } }];
const STORE_MODULE = join(__dirname, "..", "..", "app", "src", "vectorstore", "embedded.ts");

async function open(dir: string, staleMs = 2_000): Promise<{ store: EmbeddedVectorStore; warnings: string[] }> {
    const warnings: string[] = [];
    const store = await EmbeddedVectorStore.open(dir, DIMENSION, { warn: (m) => warnings.push(m), lockStaleMs: staleMs });
    return { store, warnings };
}

async function openFails(dir: string, staleMs = 2_000): Promise<{ error: StoreOpenError; warnings: string[] }> {
    const warnings: string[] = [];
    try {
        const store = await EmbeddedVectorStore.open(dir, DIMENSION, { warn: (m) => warnings.push(m), lockStaleMs: staleMs });
        await store.close();
    } catch (error) {
        assert.ok(error instanceof StoreOpenError, String(error));
        return { error, warnings };
    }
    assert.fail("the store opened");
}

/** A lock as another holder leaves it: its record, and its directory's mtime `ageMs` in the past. */
function foreignLock(dir: string, holder: Partial<Holder>, ageMs = 0): void {
    mkdirSync(lockOf(dir), { recursive: true });
    writeFileSync(join(lockOf(dir), "holder.json"), JSON.stringify({ since: "2026-01-01T00:00:00.000Z", token: "theirs", ...holder }));
    const at = new Date(Date.now() - ageMs);
    utimesSync(lockOf(dir), at, at);
}

describe("one process per store (DATA_DIR)", () => {
    it("a second open in the same process is refused at once", async () => {
        const dir = fresh();
        const { store } = await open(dir);
        try {
            const { error, warnings } = await openFails(dir);
            assert.equal(error.message, `${dir} is already open in this process`);
            assert.deepEqual(warnings, []);
        } finally {
            await store.close();
        }
    });

    it("a live holder on this host is named and refused at once, without waiting", async () => {
        const dir = fresh();
        foreignLock(dir, { pid: process.ppid, host: hostname() });
        const { error, warnings } = await openFails(dir);
        assert.equal(error.message, `${dir} is in use by another process (pid ${process.ppid} on ${hostname()}, since 2026-01-01T00:00:00.000Z): one process per DATA_DIR; stop that process, or set DATA_DIR to another directory`);
        assert.deepEqual(warnings, []);
        assert.equal(JSON.parse(readFileSync(join(lockOf(dir), "holder.json"), "utf8")).token, "theirs", "their lock is left as it was");
    });

    it("the lock of a holder on this host that has exited (killed) is taken at once, its data kept", async () => {
        const dir = fresh();
        const child = spawnSync(
            process.execPath,
            ["--import", "tsx", "-e", `(async () => { const { EmbeddedVectorStore } = require(${JSON.stringify(STORE_MODULE)}); const s = await EmbeddedVectorStore.open(${JSON.stringify(dir)}, ${DIMENSION}); await s.upsertDocument("kept", ${JSON.stringify(chunk("kept"))}, new AbortController().signal); process.kill(process.pid, "SIGKILL"); })()`],
            { encoding: "utf8", timeout: 20_000 },
        );
        assert.equal(child.signal, "SIGKILL", child.stderr);
        assert.ok(existsSync(lockOf(dir)), "a killed holder leaves its lock");
        const { store, warnings } = await open(dir, 60_000);
        try {
            assert.deepEqual(warnings, []);
            assert.deepEqual((await store.query({ sparse: { indices: [0], values: [1] } }, 5)).map((c) => c.docId), ["kept"]);
        } finally {
            await store.close();
        }
    });

    it("a holder that was this very pid (a restarted container's pid 1) is an earlier run: taken at once", async () => {
        const dir = fresh();
        foreignLock(dir, { pid: process.pid, host: hostname() });
        const { store, warnings } = await open(dir, 60_000);
        assert.deepEqual(warnings, []);
        await store.close();
    });

    for (const [whose, holder] of [
        ["on another host", { pid: 4242, host: "elsewhere" }],
        ["on this host without a real pid (0: a process group to kill())", { pid: 0, host: hostname() }],
    ] as const) {
        it(`a holder ${whose} is waited for, said once, and its lock taken when it goes stale`, async () => {
            const dir = fresh();
            foreignLock(dir, holder);
            const { store, warnings } = await open(dir, 2_000);
            try {
                assert.deepEqual(warnings, [`${dir} is in use by another process (pid ${holder.pid} on ${holder.host}, since 2026-01-01T00:00:00.000Z); waiting up to 3 s for it to stop, or for its lock to go stale (2 s without a refresh)`]);
                assert.equal(JSON.parse(readFileSync(join(lockOf(dir), "holder.json"), "utf8")).pid, process.pid);
            } finally {
                await store.close();
            }
        });
    }

    it("a holder on another host that keeps its lock fresh is refused after the wait, by name", async () => {
        const dir = fresh();
        foreignLock(dir, { pid: 4242, host: "elsewhere" });
        const refresher = setInterval(() => utimesSync(lockOf(dir), new Date(), new Date()), 200);
        try {
            const { error, warnings } = await openFails(dir, 2_000);
            assert.equal(warnings.length, 1);
            assert.match(error.message, /is in use by another process \(pid 4242 on elsewhere, since 2026-01-01T00:00:00\.000Z\): one process per DATA_DIR/);
        } finally {
            clearInterval(refresher);
        }
    });

    it("a lock released while a second process waits is taken by it", async () => {
        const dir = fresh();
        foreignLock(dir, { pid: 4242, host: "elsewhere" });
        const released = setTimeout(() => rmSync(lockOf(dir), { recursive: true }), 600);
        const { store, warnings } = await open(dir, 60_000);
        clearTimeout(released);
        assert.equal(warnings.length, 1);
        await store.close();
    });

    it("close releases the lock, and a process that exits without closing leaves none", async () => {
        const dir = fresh();
        const { store } = await open(dir);
        assert.ok(existsSync(lockOf(dir)));
        await store.close();
        assert.deepEqual(readdirSync(dir), ["vectors.log"]);
        const child = spawnSync(
            process.execPath,
            ["--import", "tsx", "-e", `require(${JSON.stringify(STORE_MODULE)}).EmbeddedVectorStore.open(${JSON.stringify(dir)}, ${DIMENSION}).then(() => process.exit(0))`],
            { encoding: "utf8", timeout: 20_000 },
        );
        assert.equal(child.status, 0, child.stderr);
        assert.deepEqual(readdirSync(dir), ["vectors.log"]);
    });

    for (const [what, lose] of [
        ["removed", (dir: string) => rmSync(lockOf(dir), { recursive: true })],
        ["taken over by another process", (dir: string) => foreignLock(dir, { pid: 4242, host: "elsewhere" })],
    ] as const) {
        it(`a holder whose lock was ${what} stops writing and says so in its health`, async () => {
            const dir = fresh();
            const { store, warnings } = await open(dir, 2_000);
            await store.upsertDocument("before", chunk("before"), never);
            lose(dir);
            await eventually(async () => !(await store.check()).writable, "the store turns read-only");
            assert.equal((await store.check()).detail, "embedded, 1 chunks, read-only: it lost its lock on DATA_DIR (restart the service)");
            assert.equal(warnings.length, 1);
            assert.match(warnings[0], /vectors\.log\.lock: the lock was lost \(.+\); no more writes go to this store; restart the service$/);
            await assert.rejects(store.upsertDocument("after", chunk("after"), never), /the lock was lost/);
            await store.close();
            assert.ok(existsSync(lockOf(dir)) === (what !== "removed"), "a lost lock is not removed: it may be another's");
        });
    }

    it("a log that refuses writes is never swapped by a compaction", async () => {
        const dir = fresh();
        const path = join(dir, "vectors.log");
        const { log } = await AppendLog.open(path, { format: 1 }, () => undefined);
        await log.append(Buffer.from("one"), never, () => undefined);
        const before = readFileSync(path);
        log.refuse(new Error("lock lost"));
        await assert.rejects(
            log.compact(async function* () {
                yield Buffer.from("copy");
            }),
            /lock lost/,
        );
        await log.close();
        assert.deepEqual(readFileSync(path), before);
        assert.deepEqual(readdirSync(dir), ["vectors.log"]);
    });
});
