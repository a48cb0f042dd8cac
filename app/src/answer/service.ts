import type { FastifyBaseLogger } from "fastify";
import { EMBEDDINGS_COMPONENT, type Vectorizer } from "../embeddings/vectorizer";
import type { LlmStep } from "../llm/step";
import type { Metrics } from "../metrics";
import { Deadline } from "../resilience/deadline";
import { HttpError, NoAnswerPathError } from "../resilience/errors";
import type { LoadShedder } from "../resilience/load-shedder";
import type { ScoredChunk, VectorStore } from "../vectorstore/types";
import { extractiveAnswer } from "./extractive";
import { buildMessages, KNOWLEDGE_BASE_UNAVAILABLE } from "./prompt";

export interface Source {
    id: string;
    chunk: number;
    passage: string;
    score: number;
    metadata: Record<string, unknown>;
}

export interface Answer {
    answer: string;
    /** The provider that wrote the answer, or "extractive" when no LLM did. */
    answeredBy: string;
    sources: Source[];
    /** What was unavailable for this answer: "vectorstore", "embeddings", "llm-primary:<provider>", ... */
    degraded: string[];
}

export interface AnswerServiceOptions {
    store: VectorStore;
    /** The question's vectors: sparse always, dense when the embedding provider answers. */
    vectorizer: Vectorizer;
    /** The fallback chain, primary first; empty when no provider is configured. */
    steps: LlmStep[];
    shedder: LoadShedder;
    metrics: Metrics;
    topK: number;
    deadlineMs: number;
    /** Seconds a client is told to wait when there is no answer path. */
    retryAfterSeconds: number;
    log: FastifyBaseLogger;
}

/** Retrieval, then primary LLM, secondary LLM, extractive answer: each failure is named, none is fatal. */
export class AnswerService {
    constructor(private readonly o: AnswerServiceOptions) {}

    async ask(question: string): Promise<Answer> {
        // One deadline for the whole request; every step below sees what is left of it.
        const deadline = new Deadline(this.o.deadlineMs);
        try {
            const answer = await this.answer(question, deadline);
            for (const component of answer.degraded) this.o.metrics.degradedAnswers.inc({ component });
            this.o.metrics.answers.inc({ answered_by: answer.answeredBy });
            return answer;
        } finally {
            deadline.dispose();
        }
    }

    private async answer(question: string, deadline: Deadline): Promise<Answer> {
        const degraded: string[] = [];
        const passages = await this.retrieve(question, deadline.signal, degraded);
        return this.o.steps.length === 0
            ? this.withoutLlm(question, passages, [...degraded, "llm:not-configured"])
            : this.throughBulkhead(question, passages, degraded, deadline);
    }

    private async retrieve(question: string, signal: AbortSignal, degraded: string[]): Promise<ScoredChunk[] | undefined> {
        // Without the provider the question is searched on its sparse vector alone, and the answer says so.
        const { vectors, degraded: sparseOnly } = await this.o.vectorizer.query(question, signal);
        if (sparseOnly) degraded.push(EMBEDDINGS_COMPONENT);
        try {
            return await this.o.store.query(vectors, this.o.topK, signal);
        } catch (error) {
            this.o.log.warn({ err: error }, "vector store unavailable; answering without the knowledge base");
            degraded.push("vectorstore");
            return undefined;
        }
    }

    /** The LLM steps hold a bulkhead slot; when the slots and the short queue are full, the request is shed (429). */
    private async throughBulkhead(
        question: string,
        passages: ScoredChunk[] | undefined,
        degraded: string[],
        deadline: Deadline,
    ): Promise<Answer> {
        try {
            return await this.o.shedder.run(() => this.throughChain(question, passages, degraded, deadline), deadline.signal);
        } catch (error) {
            if (error instanceof HttpError) throw error;
            // The deadline passed while queued for a slot: no time left for an LLM, but passages may still answer.
            this.o.log.warn({ err: error }, "deadline reached while waiting for an LLM slot");
            return this.withoutLlm(question, passages, [...degraded, ...this.o.steps.map((s) => s.label)]);
        }
    }

    private async throughChain(
        question: string,
        passages: ScoredChunk[] | undefined,
        degraded: string[],
        deadline: Deadline,
    ): Promise<Answer> {
        const messages = buildMessages(question, passages);
        const steps = this.o.steps;
        for (const [i, step] of steps.entries()) {
            // An even share of what is left: a hanging primary cannot eat the secondary's time.
            const budgetMs = deadline.remainingMs / (steps.length - i);
            if (budgetMs >= 1) {
                try {
                    const reply = await step.invoke(messages, deadline.within(budgetMs));
                    const answer = passages ? reply.text : `${KNOWLEDGE_BASE_UNAVAILABLE}\n\n${reply.text}`;
                    return { answer, answeredBy: step.provider, sources: toSources(passages ?? []), degraded };
                } catch (error) {
                    this.o.log.warn({ err: error, step: step.label, breaker: step.policy.state() }, "LLM step failed");
                }
            }
            degraded.push(step.label);
        }
        return this.withoutLlm(question, passages, degraded);
    }

    private withoutLlm(question: string, passages: ScoredChunk[] | undefined, degraded: string[]): Answer {
        if (passages === undefined) throw new NoAnswerPathError(this.o.retryAfterSeconds);
        return { answer: extractiveAnswer(question, passages), answeredBy: "extractive", sources: toSources(passages), degraded };
    }
}

function toSources(passages: ScoredChunk[]): Source[] {
    return passages.map((p) => ({
        id: p.docId,
        chunk: p.chunkIndex,
        passage: p.text,
        score: Number(p.score.toFixed(6)),
        metadata: p.metadata,
    }));
}
