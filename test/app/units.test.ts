import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrokenCircuitError, TaskCancelledError } from "cockatiel";
import { extractiveAnswer, NO_MATCH } from "../../app/src/answer/extractive";
import { LexicalHashEmbeddings, tokenize } from "../../app/src/embeddings/lexical";
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

describe("lexical embedding", () => {
    const embeddings = new LexicalHashEmbeddings();

    it("is deterministic, unit length, and closer for texts that share words", async () => {
        const [a, b] = await embeddings.embedDocuments(["replication factor of the shard", "replication factor of the shard"]);
        assert.deepEqual(a, b);
        assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-9);
        const q = await embeddings.embedQuery("what replication factor?");
        const dot = (x: number[], y: number[]) => x.reduce((sum, v, i) => sum + v * y[i], 0);
        assert.ok(dot(q, a) > dot(q, embeddings.embed("route53 failover record")));
    });

    it("drops stop words and one-letter tokens", () => {
        assert.deepEqual(tokenize("What is the Replication-Factor of a shard?"), ["replication", "factor", "shard"]);
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
