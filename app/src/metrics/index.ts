import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { HTTP_LATENCY_BUCKETS_SECONDS } from "../contract";
import type { BreakerState } from "../resilience/policy";

const LATENCY_BUCKETS = [...HTTP_LATENCY_BUCKETS_SECONDS];

const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, "half-open": 1, open: 2 };

/** Every series the service exports, on a registry of its own so that instances never collide. */
export class Metrics {
    readonly registry = new Registry();

    readonly httpRequests = this.counter("http_requests_total", "HTTP requests by method, route and status code.", [
        "method",
        "route",
        "status",
    ]);
    readonly httpErrors = this.counter(
        "http_request_errors_total",
        "HTTP responses with a 4xx or 5xx status, by route and status code.",
        ["method", "route", "status"],
    );
    readonly httpDuration = this.histogram("http_request_duration_seconds", "HTTP request latency by method and route.", [
        "method",
        "route",
    ]);
    readonly llmCalls = this.counter(
        "llm_calls_total",
        "LLM call attempts by provider and outcome (success, error, quota when the account's quota is exhausted, rejected when the breaker is open).",
        ["provider", "outcome"],
    );
    readonly llmDuration = this.histogram("llm_call_duration_seconds", "LLM call attempt latency by provider.", ["provider"]);
    readonly llmTokens = this.counter("llm_tokens_total", "Tokens reported by the provider, by provider and kind (input, output).", [
        "provider",
        "kind",
    ]);
    readonly vectorQueries = this.counter("vector_queries_total", "Vector store operations by store, operation and outcome.", [
        "store",
        "operation",
        "outcome",
    ]);
    readonly vectorDuration = this.histogram(
        "vector_query_duration_seconds",
        "Vector store operation latency by store and operation.",
        ["store", "operation"],
    );
    readonly breakerState = new Gauge({
        name: "circuit_breaker_state",
        help: "Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open.",
        labelNames: ["dependency"],
        registers: [this.registry],
    });
    readonly degradedAnswers = this.counter(
        "degraded_answers_total",
        "Answers given without some component, by the component that was unavailable.",
        ["component"],
    );
    readonly answers = this.counter("answers_total", "Answers by the step of the fallback chain that produced them.", ["answered_by"]);
    readonly shedRequests = this.counter(
        "load_shed_requests_total",
        "Requests refused with 429 because a concurrency limit and its queue were full, by limit (ask, ingest, llm).",
        ["limit"],
    );

    readonly journalWrites = this.counter("journal_writes_total", "Change-journal appends by outcome (ok, error).", ["outcome"]);
    readonly replicationLag = this.gauge("replication_lag_seconds", "Standby: seconds of acknowledged writes the standby may not have yet.");
    readonly replicationApplied = this.counter("replication_entries_applied_total", "Standby: journal entries applied to the vector store.", []);
    readonly replicationLastApplied = this.gauge("replication_last_applied_timestamp_seconds", "Standby: when the last journal entry was applied (Unix seconds).");
    readonly replicationFit = this.gauge("replication_fit_for_failover", "Standby: 1 when it is caught up within the RPO and may take over, else 0.");
    readonly replicationEpoch = this.gauge("replication_epoch", "The newest epoch this instance knows of (one per promotion).");
    readonly replicationBootstrap = this.gauge("replication_bootstrap_duration_seconds", "Standby: how long loading the last snapshot set took.");

    constructor(options: { processMetrics: boolean } = { processMetrics: true }) {
        if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
    }

    private counter<L extends string>(name: string, help: string, labelNames: L[]): Counter<L> {
        return new Counter({ name, help, labelNames, registers: [this.registry] });
    }

    private gauge(name: string, help: string): Gauge {
        return new Gauge({ name, help, registers: [this.registry] });
    }

    private histogram<L extends string>(name: string, help: string, labelNames: L[]): Histogram<L> {
        return new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [this.registry] });
    }

    setBreakerState(dependency: string, state: BreakerState): void {
        this.breakerState.set({ dependency }, BREAKER_VALUES[state]);
    }

    /** Times an async operation into a histogram, whatever its outcome. */
    async time<T>(histogram: Histogram<string>, labels: Record<string, string>, fn: () => Promise<T>): Promise<T> {
        const end = histogram.startTimer(labels);
        try {
            return await fn();
        } finally {
            end();
        }
    }
}
