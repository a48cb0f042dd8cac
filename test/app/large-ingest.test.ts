import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Metrics } from "../../app/src/metrics";
import { createDependencyPolicy } from "../../app/src/resilience/policy";
import { EMBEDDED_FILE_DIMENSION, EmbeddedVectorStore } from "../../app/src/vectorstore/embedded";
import { GuardedVectorStore } from "../../app/src/vectorstore/guarded";
import type { ChunkWithVector } from "../../app/src/vectorstore/types";
import { postJson, startService } from "./support/service";

const CONCURRENT = 12;
/** Five documents near the 200,000-character limit: about 1 MB, just under the default 1 MiB body limit. */
const DOCUMENTS_PER_REQUEST = 5;
const DOCUMENT_CHARS = 199_000;

function largeRequest(n: number): Array<{ id: string; text: string }> {
    const filler = "The standby region replays the change journal while the primary keeps serving writes. ";
    return Array.from({ length: DOCUMENTS_PER_REQUEST }, (_, k) => {
        let text = `Part ${k} of large request ${n}. `;
        while (text.length < DOCUMENT_CHARS) text += filler;
        return { id: `large-${n}-${k}`, text: text.slice(0, DOCUMENT_CHARS) };
    });
}

/** Every document id in a store's folder, read back from disk as a restarted service would. */
async function storedDocuments(dataDir: string): Promise<Map<string, number>> {
    const store = await EmbeddedVectorStore.open(dataDir, EMBEDDED_FILE_DIMENSION, { warn: () => undefined });
    const documents = new Map<string, number>();
    for await (const page of store.scan(1_000, new AbortController().signal)) {
        for (const chunk of page) documents.set(chunk.docId, (documents.get(chunk.docId) ?? 0) + 1);
    }
    await store.close();
    return documents;
}

describe("twelve concurrent ingests of about 1 MB each on the embedded store", () => {
    it("with the default timeouts: breakers stay closed, /health stays 200, every 200 is stored whole and every 503 not at all", async (t) => {
        const service = await startService({ VECTOR_TIMEOUT_MS: "2000", BREAKER_THRESHOLD: "5", ASK_DEADLINE_MS: "25000", MAX_RETRIES: "2" });
        const unhealthy: number[] = [];
        let polls = 0;
        let ingesting = true;
        const watch = (async () => {
            while (ingesting) {
                const response = await fetch(`${service.url}/health`);
                await response.arrayBuffer();
                polls++;
                if (response.status !== 200) unhealthy.push(response.status);
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
        })();
        const outcomes = await Promise.all(
            Array.from({ length: CONCURRENT }, (_, n) => postJson<{ chunks: number }>(`${service.url}/v1/documents`, { documents: largeRequest(n) })),
        );
        ingesting = false;
        await watch;
        const metrics = await (await fetch(`${service.adminUrl}/metrics`)).text();
        await service.shutdown();

        const statuses = outcomes.map((o) => o.status);
        // 503: the store did not take the write in time; 408: on a starved machine, the body itself
        // did not arrive within the server's request timeout. Either way nothing may land.
        assert.ok(statuses.every((s) => s === 200 || s === 503 || s === 408), `statuses ${statuses.join(",")}`);
        const stored = await storedDocuments(service.dataDir);
        for (const [n, outcome] of outcomes.entries()) {
            const parts = largeRequest(n).map((d) => stored.get(d.id) ?? 0);
            if (outcome.status === 200) assert.equal(parts.reduce((a, b) => a + b, 0), outcome.body.chunks, `request ${n} answered 200`);
            else assert.deepEqual(parts, [0, 0, 0, 0, 0], `request ${n} answered ${outcome.status}`);
        }
        assert.match(metrics, /circuit_breaker_state\{dependency="vectorstore"\} 0/);
        assert.ok(polls > 0);
        assert.deepEqual(unhealthy, [], `/health answered ${unhealthy.join(",")} during the ingests`);
        // How many were acknowledged depends on the CPU the machine gives the embedding; that is the bench's to measure.
        t.diagnostic(`statuses: ${statuses.join(",")}`);
        assert.ok(statuses.includes(200), "nothing was acknowledged: the case is not exercised");
    });
});

describe("a write the store's guard gave up on never lands", () => {
    const chunk = (docId: string, chunkIndex: number): ChunkWithVector => ({
        id: `${docId}#${chunkIndex}`,
        docId,
        chunkIndex,
        text: "x".repeat(2_000),
        metadata: {},
        sparse: { indices: [0], values: [1] },
    });

    it("with a per-attempt timeout shorter than an fsync: each write either succeeds and is stored, or fails and is absent", async () => {
        // Two rounds, the invariant checked in each: the writes alone (they mostly land), then the
        // same writes queued behind a 100 MB append made straight on the store, so their 1 ms
        // attempts run out while they still wait for the log (they are dropped, and must be absent).
        const outcomes = new Set<boolean>();
        for (const blocked of [false, true]) {
            const concurrent = CONCURRENT;
            const dataDir = mkdtempSync(join(tmpdir(), "langchain-ha-guarded-"));
            const inner = await EmbeddedVectorStore.open(dataDir, 4, { warn: () => undefined });
            const policy = createDependencyPolicy("vectorstore", {
                timeoutMs: 1,
                maxRetries: 1,
                initialDelayMs: 1,
                maxDelayMs: 2,
                failureRate: 0.99,
                windowMs: 60_000,
                minCalls: 1_000,
                halfOpenAfterMs: 1_000,
            });
            const store = new GuardedVectorStore(inner, policy, new Metrics({ processMetrics: false }));
            const blocker = blocked
                ? inner.upsertDocuments([{ docId: "blocker", chunks: Array.from({ length: 10_000 }, (_, i) => ({ ...chunk("blocker", i), text: "y".repeat(10_000) })) }], new AbortController().signal)
                : Promise.resolve();
            const writes = Array.from({ length: concurrent }, (_, n) =>
                store
                    .upsertDocuments(
                        [0, 1].map((k) => ({ docId: `w${n}-${k}`, chunks: Array.from({ length: 100 }, (_, i) => chunk(`w${n}-${k}`, i)) })),
                        new AbortController().signal,
                    )
                    .then(
                        () => true,
                        () => false,
                    ),
            );
            const succeeded = await Promise.all(writes);
            await blocker;
            await store.close();
            const reopened = await EmbeddedVectorStore.open(dataDir, 4, { warn: () => undefined });
            const stored = new Set<string>();
            for await (const page of reopened.scan(500, new AbortController().signal)) for (const c of page) stored.add(c.docId);
            await reopened.close();
            for (const [n, ok] of succeeded.entries()) {
                assert.deepEqual([stored.has(`w${n}-0`), stored.has(`w${n}-1`)], [ok, ok], `write ${n} of ${concurrent} ${ok ? "succeeded" : "failed"}`);
                outcomes.add(ok);
            }
        }
        assert.ok(outcomes.has(false), "no write timed out: the case is not exercised");
        assert.ok(outcomes.has(true), "no write succeeded: the case is not exercised");
    });
});
