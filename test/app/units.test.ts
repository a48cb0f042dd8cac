import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrokenCircuitError, TaskCancelledError } from "cockatiel";
import { extractiveAnswer, NO_MATCH } from "../../app/src/answer/extractive";
import { lexicalSparseVector, sparseDot, tokenize } from "../../app/src/embeddings/lexical";
import { reciprocalRankFusion } from "../../app/src/vectorstore/fusion";
import { hybridSearch } from "../../app/src/vectorstore/hybrid-search";
import { chunkIdFor, documentIdFor } from "../../app/src/ingest/ids";
import { describeFailure, isRetryable } from "../../app/src/resilience/classify";

const withStatus = (status: number) => Object.assign(new Error(`status ${status}`), { status });

describe("retry classification", () => {
    it("retries transient failures only", () => {
        for (const status of [408, 425, 429, 500, 502, 503, 504, 529]) assert.equal(isRetryable(withStatus(status)), true, String(status));
        for (const status of [400, 401, 403, 404, 422]) assert.equal(isRetryable(withStatus(status)), false, String(status));
        assert.equal(isRetryable(new TaskCancelledError("timed out")), true);
        assert.equal(isRetryable(new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) })), true);
        assert.equal(isRetryable(new Error("Unexpected Response: 503 Service Unavailable")), true);
        assert.equal(isRetryable(new BrokenCircuitError()), false);
        assert.equal(isRetryable(new Error("model returned an empty answer")), false);
    });

    it("describes failures without internals", () => {
        assert.equal(describeFailure(withStatus(502)), "HTTP 502");
        assert.equal(describeFailure(new TaskCancelledError("timed out")), "timeout");
        assert.equal(describeFailure(new BrokenCircuitError()), "breaker open");
        assert.equal(describeFailure(Object.assign(new Error("connect ECONNREFUSED 10.0.0.7:6333"), { code: "ECONNREFUSED" })), "unreachable");
    });
});

describe("deterministic ids", () => {
    it("derives the same RFC-shaped UUID from the same document and chunk, and different ones otherwise", () => {
        const id = chunkIdFor("doc", 0);
        assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        assert.equal(chunkIdFor("doc", 0), id);
        assert.notEqual(chunkIdFor("doc", 1), id);
        assert.notEqual(chunkIdFor("doc0", 0), chunkIdFor("doc", 0));
        assert.equal(documentIdFor("same text"), documentIdFor("same text"));
        assert.notEqual(documentIdFor("same text"), documentIdFor("other text"));
    });
});

describe("sparse lexical vector", () => {
    it("is deterministic, unit length, sorted and unique, and closer for texts that share words", () => {
        const a = lexicalSparseVector("replication factor of the shard");
        assert.deepEqual(a, lexicalSparseVector("replication factor of the shard"));
        assert.ok(Math.abs(Math.hypot(...a.values) - 1) < 1e-9);
        assert.ok(a.indices.every((index, i) => i === 0 || index > a.indices[i - 1]), "ascending, no repeats");
        assert.ok(a.indices.every((index) => Number.isInteger(index) && index >= 0 && index < 2 ** 32), "u32 dimension ids, as Qdrant takes");
        const q = lexicalSparseVector("what replication factor?");
        assert.ok(sparseDot(q, a) > sparseDot(q, lexicalSparseVector("route53 failover record")));
        assert.equal(sparseDot(q, lexicalSparseVector("route53 failover record")), 0);
    });

    it("is empty for a text of stop words only, not a vector of NaN", () => {
        assert.deepEqual(lexicalSparseVector("what is the"), { indices: [], values: [] });
    });

    it("drops stop words and one-letter tokens", () => {
        assert.deepEqual(tokenize("What is the Replication-Factor of a shard?"), ["replication", "factor", "shard"]);
    });
});

describe("reciprocal rank fusion and the embedded store's hybrid search", () => {
    it("puts an item ranked well on both sides above one ranked first on one side only", () => {
        const fused = reciprocalRankFusion([["a", "b", "c"], ["b", "d", "e"]], (x) => x, 4);
        assert.deepEqual(fused.map((f) => f.item), ["b", "a", "d", "c"], "ties (c, e) keep the order first seen; the limit cuts e");
        assert.ok(Math.abs(fused[0].score - (1 / 62 + 1 / 61)) < 1e-12, "1 / (60 + rank), rank from 1");
    });

    const chunk = (id: string, text: string, dense?: { space: string; values: number[] }) => ({
        id,
        docId: id,
        chunkIndex: 0,
        text,
        metadata: {},
        sparse: lexicalSparseVector(text),
        dense,
    });

    it("compares dense vectors of the query's space only; other chunks compete on the sparse side", () => {
        const space = "stand-in/concepts/2";
        const chunks = [
            chunk("semantic", "nothing in common", { space, values: [1, 0] }),
            chunk("other-space", "nothing either", { space: "another/model/2", values: [1, 0] }),
            chunk("lexical", "shard replication"),
        ];
        const hits = hybridSearch(chunks, { dense: { space, values: [1, 0] }, sparse: lexicalSparseVector("shard") }, 3);
        assert.deepEqual(hits.map((h) => h.docId), ["semantic", "lexical"]);
        assert.ok(hits.every((h) => !("dense" in h) && !("sparse" in h)), "results come without their vectors");
        const sparseOnly = hybridSearch(chunks, { sparse: lexicalSparseVector("shard") }, 3);
        assert.deepEqual(sparseOnly.map((h) => h.docId), ["lexical"]);
        assert.ok(Math.abs(sparseOnly[0].score - sparseDot(lexicalSparseVector("shard"), lexicalSparseVector("shard replication"))) < 1e-12, "scored by the dot product");
    });

    it("gives a record of the older version (no sparse vector) one from its text", () => {
        const legacy = { id: "old", docId: "old", chunkIndex: 0, text: "shard replication", metadata: {} };
        assert.deepEqual(hybridSearch([legacy], { sparse: lexicalSparseVector("shard") }, 1).map((h) => h.docId), ["old"]);
    });
});

describe("extractive answer", () => {
    const passage = (text: string, score: number) => ({ id: "p", docId: "d", chunkIndex: 0, text, metadata: {}, score });

    it("quotes the sentences that share most words with the question, in reading order", () => {
        const answer = extractiveAnswer("How many replicas does a write wait for?", [
            passage("Snapshots go to S3. A write waits for two replicas before it is acknowledged. Reads go anywhere.", 0.8),
        ]);
        assert.equal(answer, "A write waits for two replicas before it is acknowledged.");
    });

    it("says so when nothing matches", () => {
        assert.equal(extractiveAnswer("anything", []), NO_MATCH);
    });
});
