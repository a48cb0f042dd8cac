import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Embeddings } from "@langchain/core/embeddings";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import type { FastifyBaseLogger } from "fastify";
import { extractiveAnswer, NO_MATCH } from "../../app/src/answer/extractive";
import { buildMessages, KNOWLEDGE_BASE_UNAVAILABLE } from "../../app/src/answer/prompt";
import { AnswerService, type AnswerServiceOptions } from "../../app/src/answer/service";
import { lexicalSparseVector } from "../../app/src/embeddings/lexical";
import { Vectorizer } from "../../app/src/embeddings/vectorizer";
import { LlmStep } from "../../app/src/llm/step";
import { Metrics } from "../../app/src/metrics";
import { NoAnswerPathError, OverloadedError } from "../../app/src/resilience/errors";
import { LoadShedder } from "../../app/src/resilience/load-shedder";
import { passthroughPolicy } from "../../app/src/resilience/policy";
import type { RetrievalQuery, ScoredChunk, VectorStore } from "../../app/src/vectorstore/types";

/**
 * The answer path, value by value: the fallback chain's order and what each answer says was
 * unavailable, the prompt the models get, the extractive answer's choice of sentences, the
 * deadline's shares and the bulkhead, with stand-ins for the store, the embedder and the models.
 */

const passage = (docId: string, text: string, score: number, chunkIndex = 0): ScoredChunk => ({ id: `${docId}-${chunkIndex}`, docId, chunkIndex, text, metadata: { source: `${docId}.md` }, score });
const PASSAGES = [passage("replication", "The replication factor sets how many copies of each shard Qdrant keeps.", 0.912345678, 2), passage("dns", "DNS failover moves traffic to GCP.", 0.5)];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A chat model that answers with `reply(messages, signal)`; it records every call. */
function model(reply: (messages: BaseMessage[], signal: AbortSignal) => Promise<string>) {
    const calls: Array<{ messages: BaseMessage[]; at: number }> = [];
    // LlmStep calls only invoke() of the model.
    const chat = {
        invoke: async (messages: BaseMessage[], options: { signal: AbortSignal }) => {
            calls.push({ messages, at: performance.now() });
            return { text: await reply(messages, options.signal), usage_metadata: undefined };
        },
    } as unknown as BaseChatModel;
    return { chat, calls };
}
const answers = (text: string) => model(async () => text);
const fails = () => model(async () => Promise.reject(Object.assign(new Error("Service Unavailable"), { status: 503 })));
/** Never answers; rejects when its signal fires. */
const hangs = () => model((_, signal) => new Promise<string>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))));

interface Setup {
    store?: (query: RetrievalQuery, limit: number, signal: AbortSignal) => Promise<ScoredChunk[]>;
    vectorizer?: Vectorizer;
    models?: Array<ReturnType<typeof model>>;
    shedder?: LoadShedder;
    deadlineMs?: number;
}

function service(setup: Setup = {}) {
    const metrics = new Metrics({ processMetrics: false });
    const warnings: Array<[Record<string, unknown>, string]> = [];
    const queries: Array<{ query: RetrievalQuery; limit: number }> = [];
    // The service reads only query() of its store and warn() of its logger.
    const store = {
        query: (query: RetrievalQuery, limit: number, signal: AbortSignal) => {
            queries.push({ query, limit });
            return (setup.store ?? (async () => PASSAGES))(query, limit, signal);
        },
    } as unknown as VectorStore;
    const log = { warn: (fields: Record<string, unknown>, message: string) => warnings.push([fields, message]) } as unknown as FastifyBaseLogger;
    const providers = ["openai", "anthropic"] as const;
    const steps = (setup.models ?? []).map((m, i) => new LlmStep(i === 0 ? "primary" : "secondary", providers[i]!, m.chat, passthroughPolicy(), metrics));
    const options: AnswerServiceOptions = {
        store,
        vectorizer: setup.vectorizer ?? new Vectorizer(undefined),
        steps,
        shedder: setup.shedder ?? new LoadShedder(4, 4, 2),
        metrics,
        topK: 3,
        deadlineMs: setup.deadlineMs ?? 60_000,
        retryAfterSeconds: 9,
        log,
    };
    /** The answer counters, as "answered_by=X" and "component=Y" lines. */
    const counted = async () => [
        ...(await metrics.answers.get()).values.map((v) => `answered_by=${v.labels.answered_by} ${v.value}`),
        ...(await metrics.degradedAnswers.get()).values.map((v) => `component=${v.labels.component} ${v.value}`),
    ];
    return { answers: new AnswerService(options), warnings, queries, counted };
}

/** A message's role and text. */
const shown = (messages: BaseMessage[]) => messages.map((m) => [m.getType(), m.content]);

const GROUNDED = "You answer questions using only the numbered passages provided. Cite passages by their number in square brackets, like [1]. If the passages do not contain the answer, say so plainly instead of guessing. Be concise.";
const UNGROUNDED = "The knowledge base is unavailable, so no passages can be provided. Answer from general knowledge, say that the knowledge base could not be consulted, and say so plainly if you are unsure. Be concise.";

describe("the prompt (exact)", () => {
    it("numbers the passages with their documents, under the grounding instructions", () => {
        assert.deepEqual(shown(buildMessages("What sets the copies?", PASSAGES)), [
            ["system", GROUNDED],
            ["human", "Passages:\n[1] (document replication)\nThe replication factor sets how many copies of each shard Qdrant keeps.\n\n[2] (document dns)\nDNS failover moves traffic to GCP.\n\nQuestion: What sets the copies?"],
        ]);
    });

    it("says when no passage matched, and asks for an ungrounded answer when the store could not be searched", () => {
        assert.deepEqual(shown(buildMessages("q?", [])), [["system", GROUNDED], ["human", "Passages:\n(no passages matched the question)\n\nQuestion: q?"]]);
        assert.deepEqual(shown(buildMessages("q?", undefined)), [["system", UNGROUNDED], ["human", "Question: q?"]]);
        assert.equal(KNOWLEDGE_BASE_UNAVAILABLE, "The knowledge base is unavailable right now, so this answer comes from the language model alone and cites no sources.");
    });
});

describe("the extractive answer (exact)", () => {
    it("quotes the best sentences across passages, weighted by each passage's score, in reading order", () => {
        const answer = extractiveAnswer("How are shard replicas placed across zones?", [
            passage("a", "Shard replicas are spread across zones! Nothing else here? Zones fail alone.\nReplicas heal.", 0.9),
            passage("b", "Placement of replicas follows the shard key. Zones are three.", 0.3),
        ]);
        assert.equal(answer, "Shard replicas are spread across zones! Zones fail alone. Replicas heal.");
    });

    it("keeps a sentence's closing marks, and reads passages in order, sentence by sentence", () => {
        assert.equal(extractiveAnswer("replicas heal", [passage("a", "Replicas heal?! Nothing else.", 1)]), "Replicas heal?!");
        assert.equal(extractiveAnswer("alpha beta", [passage("a", "Alpha one. Beta two.", 1), passage("b", "Alpha beta.", 1)]), "Alpha one. Beta two. Alpha beta.");
        assert.equal(extractiveAnswer("here", [passage("a", "", 1)]), "", "an empty passage has no sentence to quote");
    });

    it("weighs overlap by distinct words over the square root of the sentence's length", () => {
        // One shared word in a short sentence beats two in a long one; repeats count once.
        assert.equal(
            extractiveAnswer("quorum writes", [passage("a", "Writes writes writes go to a quorum of peers in every zone of the region today. Quorum holds.", 1)]),
            "Writes writes writes go to a quorum of peers in every zone of the region today. Quorum holds.",
        );
        const four = extractiveAnswer("alpha beta gamma delta", [passage("a", "Alpha one. Beta two three. Gamma four five six. Delta seven eight nine ten.", 1)]);
        assert.equal(four, "Alpha one. Beta two three. Gamma four five six.", "three sentences at most, the shortest (best) ones");
        const reversed = extractiveAnswer("alpha beta gamma delta", [passage("a", "Delta seven eight nine ten. Gamma four five six. Beta two three. Alpha one.", 1)]);
        assert.equal(reversed, "Gamma four five six. Beta two three. Alpha one.", "the best three wherever they stand");
    });

    it("stops before 700 characters, and cuts a single sentence longer than that", () => {
        const long = (word: string, n: number) => `${`${word} `.repeat(n).trim()}.`;
        const first = long("replica", 50); // 400 characters
        const second = long("shard", 55); // 330 characters
        const answer = extractiveAnswer("replica shard", [passage("a", `${first} ${second}`, 1)]);
        assert.equal(answer, first, "the second sentence would pass 700 characters");
        const fits = long("shard", 37); // 222 characters: 400 + 1 + 222 + ... within 700
        assert.equal(extractiveAnswer("replica shard", [passage("a", `${first} ${fits}`, 1)]), `${first} ${fits}`);
        const exactly = `${"shard ".repeat(49)}shards.`; // 301 characters: 400 + 1 + 299 would be 700 exactly
        assert.equal(exactly.length, 301);
        assert.equal(extractiveAnswer("replica shard shards", [passage("a", `${first} ${exactly.slice(2)}`, 1)]), `${first} ${exactly.slice(2)}`);
        const three = `${"shard ".repeat(49)}shards.`.slice(1); // 300 characters: 300 + 1 + 400 would be 701
        assert.equal(extractiveAnswer("replica shard shards", [passage("a", `${first} ${three}`, 1)]), three);
        const huge = long("replica", 100); // 800 characters
        assert.equal(extractiveAnswer("replica", [passage("a", huge, 1)]), huge.slice(0, 700));
    });

    it("quotes the first passage when no sentence shares a word, and says so when there is none", () => {
        assert.equal(extractiveAnswer("unrelated words", [passage("a", `  ${"x".repeat(800)}`, 1), passage("b", "second", 1)]), "x".repeat(698));
        assert.equal(extractiveAnswer("unrelated", [passage("a", " Nothing shared. ", 1)]), "Nothing shared.");
        assert.equal(extractiveAnswer("anything", []), NO_MATCH);
        assert.equal(NO_MATCH, "No passage in the knowledge base matches the question.");
    });
});

describe("the answer chain (exact)", () => {
    it("answers from the primary, grounded in the top-k passages found by the question's vectors", async () => {
        const primary = answers("  The replication factor [1].  ");
        const { answers: chain, queries, counted, warnings } = service({ models: [primary, answers("secondary")] });
        const answer = await chain.ask("What sets the copies?");
        assert.deepEqual(answer, {
            answer: "The replication factor [1].",
            answeredBy: "openai",
            sources: [
                { id: "replication", chunk: 2, passage: PASSAGES[0]!.text, score: 0.912346, metadata: { source: "replication.md" } },
                { id: "dns", chunk: 0, passage: PASSAGES[1]!.text, score: 0.5, metadata: { source: "dns.md" } },
            ],
            degraded: [],
        });
        assert.deepEqual(queries, [{ query: { sparse: lexicalSparseVector("What sets the copies?"), dense: undefined }, limit: 3 }]);
        assert.deepEqual(shown(primary.calls[0]!.messages), shown(buildMessages("What sets the copies?", PASSAGES)));
        assert.deepEqual(await counted(), ["answered_by=openai 1"]);
        assert.deepEqual(warnings, []);
    });

    it("names the embedder when the question was searched on its sparse vector alone", async () => {
        const failing = {
            embeddings: { embedQuery: async () => Promise.reject(new Error("embedder down")) } as unknown as Embeddings,
            space: "stand-in/2",
            dimensions: 2,
            policy: passthroughPolicy(),
        };
        const { answers: chain, counted } = service({ vectorizer: new Vectorizer(failing), models: [answers("ok")] });
        const answer = await chain.ask("What sets the copies?");
        assert.deepEqual([answer.answeredBy, answer.degraded], ["openai", ["embeddings"]]);
        assert.deepEqual(await counted(), ["answered_by=openai 1", "component=embeddings 1"]);
    });

    it("answers from the model alone, saying so, when the store cannot be searched", async () => {
        const failure = new Error("store down");
        const primary = answers("From general knowledge.");
        const { answers: chain, warnings, counted } = service({ store: async () => Promise.reject(failure), models: [primary] });
        const answer = await chain.ask("What sets the copies?");
        assert.deepEqual(answer, { answer: `${KNOWLEDGE_BASE_UNAVAILABLE}\n\nFrom general knowledge.`, answeredBy: "openai", sources: [], degraded: ["vectorstore"] });
        assert.deepEqual(shown(primary.calls[0]!.messages), [["system", UNGROUNDED], ["human", "Question: What sets the copies?"]]);
        assert.deepEqual(warnings, [[{ err: failure }, "vector store unavailable; answering without the knowledge base"]]);
        assert.deepEqual(await counted(), ["answered_by=openai 1", "component=vectorstore 1"]);
    });

    it("without a configured model, answers extractively and says so", async () => {
        const { answers: chain, counted } = service();
        const answer = await chain.ask("What sets the replication copies?");
        assert.deepEqual([answer.answer, answer.answeredBy, answer.degraded, answer.sources.length], [PASSAGES[0]!.text, "extractive", ["llm:not-configured"], 2]);
        assert.deepEqual(await counted(), ["answered_by=extractive 1", "component=llm:not-configured 1"]);
    });

    it("falls back to the secondary, naming the primary, and logs why", async () => {
        const { answers: chain, warnings } = service({ models: [fails(), answers("from the secondary")] });
        const answer = await chain.ask("What sets the copies?");
        assert.deepEqual([answer.answer, answer.answeredBy, answer.degraded], ["from the secondary", "anthropic", ["llm-primary:openai"]]);
        assert.equal(warnings.length, 1);
        assert.deepEqual([warnings[0]![0].step, warnings[0]![0].breaker, (warnings[0]![0].err as { status?: number }).status, warnings[0]![1]], ["llm-primary:openai", "closed", 503, "LLM step failed"]);
    });

    it("answers extractively when every model fails, naming each", async () => {
        const { answers: chain, counted } = service({ models: [fails(), fails()] });
        const answer = await chain.ask("What sets the replication copies?");
        assert.deepEqual([answer.answer, answer.answeredBy, answer.degraded], [PASSAGES[0]!.text, "extractive", ["llm-primary:openai", "llm-secondary:anthropic"]]);
        assert.deepEqual(await counted(), ["answered_by=extractive 1", "component=llm-primary:openai 1", "component=llm-secondary:anthropic 1"]);
    });

    it("has no answer path (503 with Retry-After) when neither the store nor any model can answer", async () => {
        for (const models of [[], [fails(), fails()]]) {
            const { answers: chain, counted } = service({ store: async () => Promise.reject(new Error("down")), models });
            await assert.rejects(chain.ask("q?"), (error: unknown) => error instanceof NoAnswerPathError && error.statusCode === 503 && error.retryAfterSeconds === 9);
            assert.deepEqual(await counted(), []);
        }
    });

    it("gives each model an even share of what is left of the deadline", async () => {
        // 2 s: the hanging primary is cut at about 1 s, and the secondary, which takes 0.5 s, has the other second.
        const primary = hangs();
        const secondary = model(async (_, signal) => {
            await sleep(500);
            if (signal.aborted) throw signal.reason;
            return "from the secondary";
        });
        const started = performance.now();
        const { answers: chain } = service({ models: [primary, secondary], deadlineMs: 2_000 });
        const answer = await chain.ask("What sets the copies?");
        assert.equal(answer.answeredBy, "anthropic", JSON.stringify(answer.degraded));
        assert.ok(secondary.calls[0]!.at - started >= 950, `the primary was cut after ${secondary.calls[0]!.at - started} ms`);
    });

    it("skips the models once the deadline is spent, even before its timer has fired", async () => {
        const primary = answers("late");
        // The search holds the event loop past the deadline: no time is left, but the deadline's timer has not run yet.
        const busy = async () => {
            const until = performance.now() + 80;
            while (performance.now() < until);
            return PASSAGES;
        };
        const { answers: chain } = service({ store: busy, models: [primary], deadlineMs: 40 });
        const answer = await chain.ask("What sets the replication copies?");
        assert.deepEqual([answer.answeredBy, answer.degraded], ["extractive", ["llm-primary:openai"]]);
        assert.equal(primary.calls.length, 0);
    });

    it("sheds with 429 when the model slots and their queue are full", async () => {
        let free!: () => void;
        const held = model(() => new Promise<string>((resolve) => (free = () => resolve("held"))));
        const { answers: chain } = service({ models: [held], shedder: new LoadShedder(1, 0, 2) });
        const first = chain.ask("first?");
        await sleep(20);
        await assert.rejects(chain.ask("second?"), (error: unknown) => error instanceof OverloadedError && error.retryAfterSeconds === 2);
        free();
        assert.equal((await first).answer, "held");
    });

    it("answers extractively when the deadline passes while waiting for a model slot", async () => {
        let free!: () => void;
        const held = model((messages) => (String(messages[1]!.content).endsWith("first?") ? new Promise<string>((resolve) => (free = () => resolve("held"))) : Promise.resolve("never")));
        const { answers: chain, warnings } = service({ models: [held], shedder: new LoadShedder(1, 1, 2), deadlineMs: 150 });
        const first = chain.ask("first?");
        await sleep(20);
        const second = chain.ask("What sets the replication copies?");
        await sleep(300);
        free();
        const answer = await second;
        assert.deepEqual([answer.answer, answer.answeredBy, answer.degraded], [PASSAGES[0]!.text, "extractive", ["llm-primary:openai"]]);
        assert.equal(warnings.at(-1)![1], "deadline reached while waiting for an LLM slot");
        assert.ok(warnings.at(-1)![0].err instanceof Error, "the warning carries the error");
        assert.equal(held.calls.length, 1);
        await first;
    });
});
