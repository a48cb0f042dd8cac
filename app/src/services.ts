import type { FastifyBaseLogger } from "fastify";
import type { AppServices } from "./app";
import { AnswerService } from "./answer/service";
import { Authenticator } from "./auth/authenticator";
import type { Config, LlmConfig } from "./config";
import { createDenseEmbeddings } from "./embeddings/dense";
import { spaceOf } from "./embeddings/models";
import { Vectorizer } from "./embeddings/vectorizer";
import { HealthService } from "./health/service";
import { IngestService, type IngestJournal } from "./ingest/service";
import { Lifecycle } from "./lifecycle/state";
import { createChatModel } from "./llm/providers";
import { LlmStep, type Slot } from "./llm/step";
import { Metrics } from "./metrics";
import { openObjectStore } from "./objectstore";
import { KubernetesLease, SoleLease } from "./replication/lease";
import { ReplicationService } from "./replication/service";
import { admissionHook, AdmissionLimit } from "./resilience/admission";
import { EventLoopLag } from "./resilience/event-loop-lag";
import { LoadShedder } from "./resilience/load-shedder";
import { createDependencyPolicy, passthroughPolicy, type DependencyPolicy, type PolicyOptions } from "./resilience/policy";
import { EMBEDDED_FILE_DIMENSION, EmbeddedVectorStore } from "./vectorstore/embedded";
import { GuardedVectorStore } from "./vectorstore/guarded";
import { QdrantVectorStore } from "./vectorstore/qdrant";

/** Seconds clients are told to wait: short for load shedding, longer when a dependency is down. */
const RETRY_AFTER = { overloaded: 1, unavailable: 5 } as const;

export interface Services extends AppServices {
    close(): Promise<void>;
}

const UNJOURNALED: IngestJournal = { assertWritable: () => undefined, append: async () => ({ epoch: 0, seq: 0 }) };

/** Seconds a Kubernetes Lease lives without renewal: a few poll rounds, so a dead applier is replaced quickly. */
const LEASE_SECONDS = 15;

export interface ServiceOptions {
    /** "off" drops every policy: only the bench uses it, to measure what the layer costs. */
    resilience?: "on" | "off";
    /** "off" acknowledges writes without journaling them: only the bench uses it, to measure what the journal costs. */
    journal?: "on" | "off";
    /** Process metrics (event loop lag, heap) are global; several instances in one process skip them. */
    processMetrics?: boolean;
}

/** The composition root: external clients, then domain services, each wrapped in its policy. */
export async function createServices(config: Config, log: FastifyBaseLogger, options: ServiceOptions = {}): Promise<Services> {
    const metrics = new Metrics({ processMetrics: options.processMetrics ?? true });
    const r = config.resilience;
    const policyFor = (name: string, timeoutMs: number): DependencyPolicy => {
        if (options.resilience === "off") return passthroughPolicy();
        const policyOptions: PolicyOptions = {
            timeoutMs,
            maxRetries: r.maxRetries,
            initialDelayMs: r.retryInitialDelayMs,
            maxDelayMs: Math.max(r.retryInitialDelayMs, Math.min(2_000, timeoutMs)),
            ...r.breaker,
            halfOpenAfterMs: r.breakerHalfOpenMs,
        };
        metrics.setBreakerState(name, "closed");
        return createDependencyPolicy(name, policyOptions, (state) => {
            metrics.setBreakerState(name, state);
            log.warn({ dependency: name, breaker: state }, "circuit breaker changed state");
        });
    };

    // Retrieval: the local sparse vector always, the provider's dense one when configured (docs/service.md, "Retrieval").
    const e = config.embeddings;
    const vectorizer = new Vectorizer(
        e && { embeddings: createDenseEmbeddings(e), space: spaceOf(e), dimensions: e.dimensions, policy: policyFor("embeddings", e.timeoutMs) },
        (error) => log.warn({ err: error }, "embedding provider failed; sparse vectors only"),
    );
    log.info({ retrieval: vectorizer.describe() }, "retrieval configured");
    const rawStore = config.qdrant
        ? new QdrantVectorStore(config.qdrant, vectorizer, e?.dimensions, r.vectorTimeoutMs, (m) => log.info(m))
        : await EmbeddedVectorStore.open(config.dataDir, EMBEDDED_FILE_DIMENSION, { warn: (m) => log.warn(m) });
    // The embedded store is in this process: waiting for it is waiting behind other writes to the
    // same disk, bounded by the request's own deadline (a write still queued then is dropped, never
    // written), not an outage; a shorter attempt timeout would only count load against it.
    const storeAttemptMs = config.qdrant ? r.vectorTimeoutMs : r.askDeadlineMs;
    const store = new GuardedVectorStore(rawStore, policyFor("vectorstore", storeAttemptMs), metrics);

    const step = (slot: Slot, llm: LlmConfig | undefined): LlmStep[] =>
        llm
            ? [new LlmStep(slot, llm.provider, createChatModel(llm, r.llmTimeoutMs), policyFor(`llm:${llm.provider}`, r.llmTimeoutMs), metrics)]
            : [];
    const steps = [...step("primary", config.llm.primary), ...step("secondary", config.llm.secondary)];

    const r2 = config.replication;
    const open = (url: string) => openObjectStore(url, r2.endpoints);
    const replication = new ReplicationService({
        initialRole: r2.initialRole,
        own: open(r2.journalUrl),
        peer: r2.peerJournalUrls.map(open),
        snapshots: r2.snapshotUrls.map(open),
        store,
        lease: r2.lease ? new KubernetesLease({ ...r2.lease, durationSeconds: LEASE_SECONDS }) : new SoleLease(),
        apply: r2.apply,
        maxLagSeconds: r2.maxLagSeconds,
        pollMs: r2.pollMs,
        retryAfterSeconds: RETRY_AFTER.unavailable,
        metrics,
        log,
    });

    const shedder = new LoadShedder(r.llmMaxConcurrency, r.llmQueueSize, RETRY_AFTER.overloaded, () => metrics.shedRequests.inc({ limit: "llm" }));
    const lag = r.shedding.maxEventLoopDelayMs > 0 ? new EventLoopLag() : undefined;
    const saturated = () => lag !== undefined && lag.ms > r.shedding.maxEventLoopDelayMs;
    const limit = (name: "ask" | "ingest", what: string) =>
        new AdmissionLimit(
            what,
            r.shedding[name].maxConcurrency,
            r.shedding[name].queueSize,
            RETRY_AFTER.overloaded,
            () => metrics.shedRequests.inc({ limit: name }),
            saturated,
        );
    const admission = admissionHook(
        new Map([
            ["POST /v1/ask", limit("ask", "questions")],
            ["POST /v1/documents", limit("ingest", "ingests")],
        ]),
    );
    const lifecycle = new Lifecycle();
    return {
        metrics,
        lifecycle,
        maxDocumentsPerRequest: config.limits.maxDocumentsPerRequest,
        answers: new AnswerService({
            store,
            vectorizer,
            steps,
            shedder,
            metrics,
            topK: config.limits.retrievalTopK,
            deadlineMs: r.askDeadlineMs,
            retryAfterSeconds: RETRY_AFTER.unavailable,
            log,
        }),
        ingest: new IngestService(store, vectorizer, options.journal === "off" ? UNJOURNALED : replication, r.askDeadlineMs, RETRY_AFTER.unavailable),
        health: new HealthService(config.region, store, steps, lifecycle, replication, { ...r.health, attemptTimeoutMs: r.vectorTimeoutMs }, vectorizer),
        replication,
        admission,
        authenticator: new Authenticator({ keys: config.auth.keys, enabled: config.auth.enabled, ratePerSecond: config.auth.ratePerSecond, burst: config.auth.burst }),
        close: async () => {
            lag?.stop();
            await replication.stop();
            await store.close();
        },
    };
}
