import assert from "node:assert/strict";
import { once } from "node:events";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { EMBEDDED_FILE_DIMENSION, EmbeddedVectorStore } from "../../app/src/vectorstore/embedded";
import { spawnServer, spawnService } from "./support/process";
import { freshDataDir, postJson, SAMPLE_DOCUMENTS } from "./support/service";

/** Document ids in a store folder, read from disk as a restarted service would, and the warnings of opening it. */
async function onDisk(dataDir: string): Promise<{ ids: string[]; warnings: string[] }> {
    const warnings: string[] = [];
    const store = await EmbeddedVectorStore.open(dataDir, EMBEDDED_FILE_DIMENSION, { warn: (m) => warnings.push(m) });
    const ids = new Set<string>();
    for await (const page of store.scan(500, new AbortController().signal)) for (const c of page) ids.add(c.docId);
    await store.close();
    return { ids: [...ids].sort(), warnings };
}

describe("the embedded store's files, through the service process", () => {
    it("answers a write the disk refuses with 503 and a message that hides its internals; nothing of it lands, later writes do", async () => {
        const dataDir = freshDataDir();
        // Room for the sample documents, not for a request of about 1 MB of text (a record larger than that).
        // Lag shedding off: embedding the refused megabyte blocks the event loop, which is load, not this test's subject.
        const service = await spawnService({ DATA_DIR: dataDir, SHED_EVENT_LOOP_DELAY_MS: "0" }, { fileSizeLimitKiB: 512 });
        try {
            assert.equal((await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS })).status, 200);
            const filler = "Every shard of the collection keeps a replica in another zone. ";
            const large = Array.from({ length: 5 }, (_, k) => ({ id: `large-${k}`, text: filler.repeat(3_000) }));
            const refused = await postJson(`${service.url}/v1/documents`, { documents: large });
            assert.equal(refused.status, 503);
            assert.equal(refused.body.message, "the vector store is unavailable; retry the request (ingestion is idempotent)");
            assert.doesNotMatch(JSON.stringify(refused.body), /EFBIG|vectors\.log|\/tmp\//);
            assert.equal((await postJson(`${service.url}/v1/documents`, { documents: [{ id: "after", text: "A later, small write." }] })).status, 200);
        } finally {
            service.child.kill("SIGTERM");
            await service.exited;
        }
        assert.deepEqual(await onDisk(dataDir), { ids: ["after", "dns-failover", "qdrant-replication"], warnings: [] });
    });

    it("refuses a second service on the same DATA_DIR: exit 2, one line naming the holder; the first goes on, and its lock is gone after it", async () => {
        const dataDir = freshDataDir();
        const first = await spawnService({ DATA_DIR: dataDir });
        try {
            const second = spawnServer({ PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "silent" });
            let stderr = "";
            second.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
            const [code] = await once(second, "exit");
            assert.equal(code, 2);
            assert.equal(stderr.trim().split("\n").length, 1, stderr);
            assert.match(stderr, new RegExp(`^fatal: ${dataDir} is in use by another process \\(pid ${first.child.pid} on ${hostname()}, since [^)]+\\): one process per DATA_DIR; stop that process, or set DATA_DIR to another directory\n$`));
            assert.equal((await postJson(`${first.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS })).status, 200);
        } finally {
            first.child.kill("SIGTERM");
            await first.exited;
        }
        assert.deepEqual(readdirSync(dataDir).sort(), ["journal", "vectors.log"]);
    });

    it("starts at once on the DATA_DIR of a service that was killed, with what it had acknowledged", async () => {
        const dataDir = freshDataDir();
        const killed = await spawnService({ DATA_DIR: dataDir });
        assert.equal((await postJson(`${killed.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS })).status, 200);
        killed.child.kill("SIGKILL");
        await killed.exited;
        assert.ok(readdirSync(dataDir).includes("vectors.log.lock"), "a killed service leaves its lock");
        const next = await spawnService({ DATA_DIR: dataDir });
        try {
            assert.doesNotMatch(next.output(), /in use by/);
            const body = (await postJson<{ sources: Array<{ id: string }> }>(`${next.url}/v1/ask`, { question: "When does DNS answer with the secondary region?" })).body;
            assert.equal(body.sources[0]?.id, "dns-failover");
        } finally {
            next.child.kill("SIGTERM");
            await next.exited;
        }
    });

    it("refuses to start on a damaged store file: exit 2, one line naming the file and the way back, no temporary file", async () => {
        const dataDir = freshDataDir();
        const store = await EmbeddedVectorStore.open(dataDir, EMBEDDED_FILE_DIMENSION, { warn: () => undefined });
        const never = new AbortController().signal;
        for (const n of [1, 2, 3]) await store.upsertDocument(`d${n}`, [{ id: `c${n}`, docId: `d${n}`, chunkIndex: 0, text: `text ${n}`, metadata: {}, sparse: { indices: [0], values: [1] } }], never);
        await store.close();
        const path = join(dataDir, "vectors.log");
        const bytes = readFileSync(path);
        bytes[Math.floor(bytes.length / 2)] ^= 0x55;
        writeFileSync(path, bytes);

        const child = spawnServer({ PORT: "0", DATA_DIR: dataDir, LOG_LEVEL: "silent" });
        let stderr = "";
        child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
        const [code] = await once(child, "exit");
        assert.equal(code, 2);
        const lines = stderr.trim().split("\n");
        assert.equal(lines.length, 1, stderr);
        assert.match(lines[0], new RegExp(`^fatal: ${path} is damaged: .* at byte \\d+, with records after it; move it aside .*npm run dr -- restore`));
        assert.deepEqual(readdirSync(dataDir), ["vectors.log"]);
    });
});
