import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { Answer } from "../../../app/src/answer/service";
import { loadConfig } from "../../../app/src/config";
import type { LlmStandIn } from "./llm-stand-in";
import { startServer, type RunningServer } from "../../../app/src/server";

/** Small limits so that breakers open and timeouts fire within a test's patience. */
export const FAST_ENV: Record<string, string> = {
    PORT: "0",
    ADMIN_PORT: "0",
    LOG_LEVEL: "silent",
    LLM_TIMEOUT_MS: "1000",
    EMBEDDINGS_TIMEOUT_MS: "1000",
    VECTOR_TIMEOUT_MS: "1000",
    MAX_RETRIES: "1",
    RETRY_INITIAL_DELAY_MS: "5",
    // More than half of at least 3 attempts in 5 s opens a breaker.
    BREAKER_MIN_CALLS: "3",
    BREAKER_FAILURE_RATE_PERCENT: "50",
    BREAKER_WINDOW_MS: "5000",
    BREAKER_HALF_OPEN_MS: "250",
    // Every /health probes afresh, unless a test is about the cache.
    HEALTH_CACHE_MS: "0",
    // A shared test machine lags without any overload of the service: lag shedding only where a test is about it.
    SHED_EVENT_LOOP_DELAY_MS: "0",
    ASK_DEADLINE_MS: "5000",
    SHUTDOWN_DRAIN_MS: "5000",
};

export interface TestService extends RunningServer {
    url: string;
    dataDir: string;
}

/** A new, empty DATA_DIR for one service. */
export const freshDataDir = (): string => mkdtempSync(join(tmpdir(), "langchain-ha-app-"));

/** The real server, in this process, on an ephemeral port, over a fresh data folder unless one is given. */
export async function startService(env: Record<string, string>): Promise<TestService> {
    const dataDir = env.DATA_DIR ?? freshDataDir();
    const result = loadConfig({ ...FAST_ENV, DATA_DIR: dataDir, ...env });
    if (!result.ok) throw new Error(`test config rejected: ${result.errors.join("; ")}`);
    const running = await startServer(result.config, { logger: pino({ level: "silent" }), processMetrics: false });
    return { ...running, url: running.urls[0], dataDir };
}

export interface JsonResponse<T = Record<string, unknown>> {
    status: number;
    headers: Headers;
    body: T;
}

export async function postJson<T = Record<string, unknown>>(url: string, body: unknown): Promise<JsonResponse<T>> {
    const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<JsonResponse<T>> {
    const response = await fetch(url);
    return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

export interface ErrorBody {
    error: string;
    message: string;
    requestId: string;
}

/** An answer, or on 4xx/5xx the error fields instead. */
export type AskResponse = JsonResponse<Answer & Partial<ErrorBody>>;

export const ask = (url: string, question: string): Promise<AskResponse> => postJson(`${url}/v1/ask`, { question });

export const SAMPLE_DOCUMENTS = [
    {
        id: "qdrant-replication",
        text: "Qdrant keeps every shard on several peers. The replication factor sets how many copies of each shard exist. A write consistency factor of two waits for two replicas before acknowledging a write.",
        metadata: { topic: "storage" },
    },
    {
        id: "dns-failover",
        text: "Route53 health checks probe the health endpoint of each region. When the primary region fails its checks, DNS answers with the secondary region in the GCP disaster recovery site.",
    },
];

/** Polls `probe` until it returns true; for state that changes on a timer (a breaker half-opening). */
export async function eventually(probe: () => Promise<boolean>, what: string, attempts = 100, pauseMs = 50): Promise<void> {
    for (let i = 0; i < attempts; i++) {
        if (await probe()) return;
        await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
    throw new Error(`never happened: ${what}`);
}

/**
 * Starts the provider stand-ins (primary first, then secondary), then the service pointed at
 * them, with the sample documents ingested.
 */
export async function startWithProviders(providers: LlmStandIn[], env: Record<string, string> = {}): Promise<TestService> {
    const slots = ["primary", "secondary"] as const;
    let providerEnv: Record<string, string> = {};
    for (const [i, provider] of providers.entries()) {
        await provider.start();
        providerEnv = { ...providerEnv, ...provider.envFor(slots[i]) };
    }
    const service = await startService({ ...providerEnv, ...env });
    const ingested = await postJson(`${service.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS });
    if (ingested.status !== 200) throw new Error(`ingest answered ${ingested.status}`);
    return service;
}

/** Lets held calls go, drains the service, then stops the stand-ins. */
export async function stopWithProviders(service: TestService, providers: LlmStandIn[]): Promise<void> {
    for (const provider of providers) provider.release();
    await service.shutdown();
    for (const provider of providers) await provider.stop();
}
