import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { BreakerState } from "../resilience/policy";

/** Seconds; from a local lookup (~1 ms) to an LLM call near its timeout. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

const BREAKER_VALUES: Record<BreakerState, number> = { closed: 0, "half-open": 1, open: 2 };

/** Every series the service exports, on a registry of its own so that instances never collide. */
export class Metrics {
    readonly registry = new Registry();

    readonly httpRequests = new Counter({
        name: "http_requests_total",
        help: "HTTP requests by method, route and status code.",
        labelNames: ["method", "route", "status"] as const,
        registers: [this.registry],
    });
    readonly httpErrors = new Counter({
        name: "http_request_errors_total",
        help: "HTTP responses with a 4xx or 5xx status, by route and status code.",
        labelNames: ["method", "route", "status"] as const,
        registers: [this.registry],
    });
    readonly httpDuration = new Histogram({
        name: "http_request_duration_seconds",
        help: "HTTP request latency by method and route.",
        labelNames: ["method", "route"] as const,
        buckets: LATENCY_BUCKETS,
        registers: [this.registry],
    });
    readonly llmCalls = new Counter({
        name: "llm_calls_total",
        help: "LLM call attempts by provider and outcome (success, error, rejected when the breaker is open).",
        labelNames: ["provider", "outcome"] as const,
        registers: [this.registry],
    });
    readonly llmDuration = new Histogram({
        name: "llm_call_duration_seconds",
        help: "LLM call attempt latency by provider.",
        labelNames: ["provider"] as const,
        buckets: LATENCY_BUCKETS,
        registers: [this.registry],
    });
    readonly llmTokens = new Counter({
        name: "llm_tokens_total",
        help: "Tokens reported by the provider, by provider and kind (input, output).",
        labelNames: ["provider", "kind"] as const,
        registers: [this.registry],
    });
    readonly vectorQueries = new Counter({
        name: "vector_queries_total",
        help: "Vector store operations by store, operation and outcome.",
        labelNames: ["store", "operation", "outcome"] as const,
        registers: [this.registry],
    });
    readonly vectorDuration = new Histogram({
        name: "vector_query_duration_seconds",
        help: "Vector store operation latency by store and operation.",
        labelNames: ["store", "operation"] as const,
        buckets: LATENCY_BUCKETS,
        registers: [this.registry],
    });
    readonly breakerState = new Gauge({
        name: "circuit_breaker_state",
        help: "Circuit breaker state per dependency: 0 closed, 1 half-open, 2 open.",
        labelNames: ["dependency"] as const,
        registers: [this.registry],
    });
    readonly degradedAnswers = new Counter({
        name: "degraded_answers_total",
        help: "Answers given without some component, by the component that was unavailable.",
        labelNames: ["component"] as const,
        registers: [this.registry],
    });
    readonly answers = new Counter({
        name: "answers_total",
        help: "Answers by the step of the fallback chain that produced them.",
        labelNames: ["answered_by"] as const,
        registers: [this.registry],
    });
    readonly shedRequests = new Counter({
        name: "load_shed_requests_total",
        help: "Requests refused with 429 because the LLM bulkhead and its queue were full.",
        registers: [this.registry],
    });

    constructor(options: { processMetrics: boolean } = { processMetrics: true }) {
        if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
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
