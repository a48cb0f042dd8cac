import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { ENV, TUNING_ENV } from "../contract";
import { authConfig, type AuthConfig } from "./auth";
import { envSchema, PROVIDERS, type Env, type Provider } from "./env-schema";
import { chooseEmbeddings } from "./embeddings";
import type { DenseEmbeddingConfig } from "../embeddings/models";

export type { Provider } from "./env-schema";

export interface LlmConfig {
    provider: Provider;
    apiKey: string;
    model: string;
    /** Override of the provider's API root (a regional gateway, a proxy, a local stand-in). */
    baseUrl?: string;
}

export interface QdrantConfig {
    url: string;
    apiKey?: string;
    collection: string;
    replicationFactor: number;
    writeConsistencyFactor: number;
    shardNumber: number;
}

export interface ResilienceConfig {
    askDeadlineMs: number;
    llmTimeoutMs: number;
    llmMaxConcurrency: number;
    llmQueueSize: number;
    vectorTimeoutMs: number;
    maxRetries: number;
    retryInitialDelayMs: number;
    breakerHalfOpenMs: number;
    breaker: BreakerConfig;
    health: HealthProbeConfig;
    shedding: SheddingConfig;
}

/** Failure-rate breakers: open when more than `failureRate` of the calls in the window failed, once it holds `minCalls`. */
export interface BreakerConfig {
    /** A fraction in (0, 1). */
    failureRate: number;
    windowMs: number;
    minCalls: number;
}

/** The region health probe of the vector store, independent of the request path's breaker. */
export interface HealthProbeConfig {
    /** Attempts of one probe (each with the per-attempt VECTOR_TIMEOUT_MS); it fails only when all do. */
    attempts: number;
    /** A probe slower than this reports the store degraded (still 200). */
    slowMs: number;
    /** The longest /health waits for a running probe before it answers from the last verdict. */
    responseMs: number;
    /** A verdict younger than this is reused: a flood of health checks is not a flood of store calls. */
    cacheMs: number;
}

/** Admission limits of the expensive routes: concurrent requests and how many may wait, beyond which 429. */
export interface SheddingConfig {
    ask: { maxConcurrency: number; queueSize: number };
    ingest: { maxConcurrency: number; queueSize: number };
    /** Shed at once while the event loop runs later than this (ms); 0: never on lag. */
    maxEventLoopDelayMs: number;
}

export interface ReplicationConfig {
    initialRole: "active" | "standby";
    journalUrl: string;
    peerJournalUrls: string[];
    snapshotUrls: string[];
    maxLagSeconds: number;
    apply: boolean;
    pollMs: number;
    /** Set in a cluster: the Kubernetes Lease that elects the one applier. */
    lease?: { name: string; namespace: string; identity: string };
    endpoints: { s3?: string; gcs?: string };
}

export interface Config {
    /** Address every listener binds; loopback unless the deployment says otherwise. */
    host: string;
    port: number;
    /** /metrics and the detailed /health; never behind a load balancer. */
    adminPort: number;
    auth: AuthConfig;
    /** Time a client has to send its headers, and its whole request. */
    headersTimeoutMs: number;
    /** Set when both TLS files are given: HTTPS is served beside plain HTTP. */
    https?: { port: number; certFile: string; keyFile: string };
    region: string;
    dataDir: string;
    logLevel: string;
    /** Absent: the embedded vector store under dataDir. */
    qdrant?: QdrantConfig;
    llm: { primary?: LlmConfig; secondary?: LlmConfig };
    shutdownDrainMs: number;
    limits: { bodyLimitBytes: number; maxDocumentsPerRequest: number; retrievalTopK: number };
    resilience: ResilienceConfig;
    replication: ReplicationConfig;
    /** Dense embeddings; absent: retrieval runs on the local sparse vectors alone. */
    embeddings?: DenseEmbeddingConfig;
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

const KEY_VARS: Record<Provider, keyof Env> = {
    openai: ENV.openaiApiKey,
    anthropic: ENV.anthropicApiKey,
    google: ENV.googleApiKey,
};

function describe(value: unknown): string {
    return value === undefined ? "unset" : JSON.stringify(value);
}

/** Validates the environment; every bad variable yields one line naming it, all in one pass. */
export function loadConfig(env: NodeJS.ProcessEnv): ConfigResult {
    const errors: string[] = [];
    const invalid = new Set<string>();
    let parsed = envSchema.safeParse(env);
    if (!parsed.success) {
        for (const issue of parsed.error.issues) {
            const name = String(issue.path[0] ?? "environment");
            invalid.add(name);
            errors.push(`${name}: ${issue.message} (got ${describe(env[name])})`);
        }
        // Parse again without the bad values (their defaults stand in), so that the checks
        // across variables still report everything else in the same run.
        parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([name]) => !invalid.has(name))));
        if (!parsed.success) return { ok: false, errors };
    }
    const e = parsed.data;
    const valid = (...names: string[]) => names.every((name) => !invalid.has(name));

    const certFile = e[ENV.tlsCertFile];
    const keyFile = e[ENV.tlsKeyFile];
    if ((certFile === undefined) !== (keyFile === undefined)) {
        const missing = certFile === undefined ? ENV.tlsCertFile : ENV.tlsKeyFile;
        errors.push(`${missing}: must be set together with ${missing === ENV.tlsCertFile ? ENV.tlsKeyFile : ENV.tlsCertFile}`);
    }
    const [replication, consistency] = [ENV.qdrantReplicationFactor, ENV.qdrantWriteConsistencyFactor];
    if (valid(replication, consistency) && e[consistency] > e[replication]) {
        errors.push(`${consistency}: must not exceed ${replication} (${e[replication]})`);
    }
    const llm = valid(ENV.llmPrimary, ENV.llmSecondary) ? chooseProviders(e, errors) : {};
    if (valid(ENV.role, ENV.peerJournalUrls) && e[ENV.role] === "standby" && (e[ENV.peerJournalUrls] ?? []).length === 0) {
        errors.push(`${ENV.peerJournalUrls}: is required when ${ENV.role} is standby (the active side's journal to follow)`);
    }
    const leaseName = e[ENV.leaseName];
    if (leaseName !== undefined && (e[ENV.podName] === undefined || e[ENV.podNamespace] === undefined)) {
        errors.push(`${ENV.leaseName}: needs ${ENV.podName} and ${ENV.podNamespace} (the downward API) to name the lease holder`);
    }
    const embeddings = valid(ENV.embeddingsProvider, ENV.embeddingsModel, ENV.embeddingsDimensions) ? chooseEmbeddings(e, errors) : undefined;
    const auth = valid(ENV.host, ENV.apiKeys, ENV.authDisabled)
        ? authConfig(
              {
                  host: e[ENV.host],
                  apiKeys: e[ENV.apiKeys],
                  authDisabled: e[ENV.authDisabled],
                  adminToken: e[ENV.adminToken],
                  ratePerSecond: e[TUNING_ENV.apiKeyRatePerSecond],
                  burst: e[TUNING_ENV.apiKeyBurst],
              },
              errors,
          )
        : undefined;
    if (errors.length > 0 || auth === undefined) return { ok: false, errors };

    const qdrantUrl = e[ENV.qdrantUrl];
    const config: Config = {
        host: e[ENV.host],
        port: e[ENV.port],
        adminPort: e[ENV.adminPort],
        auth,
        headersTimeoutMs: e[TUNING_ENV.headersTimeoutMs],
        https: certFile && keyFile ? { port: e[ENV.httpsPort], certFile, keyFile } : undefined,
        region: e[ENV.region],
        dataDir: e[ENV.dataDir],
        logLevel: e[TUNING_ENV.logLevel],
        qdrant: qdrantUrl
            ? {
                  url: qdrantUrl,
                  apiKey: e[ENV.qdrantApiKey],
                  collection: e[ENV.qdrantCollection],
                  replicationFactor: e[ENV.qdrantReplicationFactor],
                  writeConsistencyFactor: e[ENV.qdrantWriteConsistencyFactor],
                  shardNumber: e[ENV.qdrantShardNumber],
              }
            : undefined,
        llm,
        shutdownDrainMs: e[ENV.shutdownDrainMs],
        limits: {
            bodyLimitBytes: e[TUNING_ENV.bodyLimitBytes],
            maxDocumentsPerRequest: e[TUNING_ENV.maxDocumentsPerRequest],
            retrievalTopK: e[TUNING_ENV.retrievalTopK],
        },
        resilience: {
            askDeadlineMs: e[TUNING_ENV.askDeadlineMs],
            llmTimeoutMs: e[TUNING_ENV.llmTimeoutMs],
            llmMaxConcurrency: e[TUNING_ENV.llmMaxConcurrency],
            llmQueueSize: e[TUNING_ENV.llmQueueSize],
            vectorTimeoutMs: e[TUNING_ENV.vectorTimeoutMs],
            maxRetries: e[TUNING_ENV.maxRetries],
            retryInitialDelayMs: e[TUNING_ENV.retryInitialDelayMs],
            breakerHalfOpenMs: e[TUNING_ENV.breakerHalfOpenMs],
            breaker: {
                failureRate: e[TUNING_ENV.breakerFailureRatePercent] / 100,
                windowMs: e[TUNING_ENV.breakerWindowMs],
                minCalls: e[TUNING_ENV.breakerMinCalls],
            },
            health: {
                attempts: e[TUNING_ENV.healthProbeAttempts],
                slowMs: e[TUNING_ENV.healthSlowMs],
                responseMs: e[TUNING_ENV.healthResponseMs],
                cacheMs: e[TUNING_ENV.healthCacheMs],
            },
            shedding: {
                ask: { maxConcurrency: e[TUNING_ENV.askMaxConcurrency], queueSize: e[TUNING_ENV.askQueueSize] },
                ingest: { maxConcurrency: e[TUNING_ENV.ingestMaxConcurrency], queueSize: e[TUNING_ENV.ingestQueueSize] },
                maxEventLoopDelayMs: e[TUNING_ENV.shedEventLoopDelayMs],
            },
        },
        replication: {
            initialRole: e[ENV.role],
            journalUrl: e[ENV.journalUrl] ?? pathToFileURL(resolve(e[ENV.dataDir], "journal")).href,
            peerJournalUrls: e[ENV.peerJournalUrls] ?? [],
            snapshotUrls: e[ENV.snapshotUrls] ?? [],
            maxLagSeconds: e[ENV.replicationMaxLagSeconds],
            apply: e[ENV.replicationApply],
            pollMs: e[TUNING_ENV.replicationPollMs],
            lease: leaseOf(leaseName, e[ENV.podNamespace], e[ENV.podName]),
            endpoints: { s3: e[TUNING_ENV.s3Endpoint], gcs: e[TUNING_ENV.gcsEndpoint] },
        },
        embeddings,
    };
    return { ok: true, config };
}

function leaseOf(name?: string, namespace?: string, identity?: string): ReplicationConfig["lease"] {
    return name && namespace && identity ? { name, namespace, identity } : undefined;
}

/**
 * Explicit LLM_PRIMARY / LLM_SECONDARY win; unset slots take the providers that have a key, in
 * the order of PROVIDERS, so that a key alone is enough and no key at all means the extractive
 * answerer only.
 */
function chooseProviders(e: Env, errors: string[]): Config["llm"] {
    const hasKey = (p: Provider) => e[KEY_VARS[p]] !== undefined;
    const explicitPrimary = e[ENV.llmPrimary];
    const explicitSecondary = e[ENV.llmSecondary];
    for (const [name, value] of [
        [ENV.llmPrimary, explicitPrimary],
        [ENV.llmSecondary, explicitSecondary],
    ] as const) {
        if (value !== undefined && value !== "none" && !hasKey(value)) {
            errors.push(`${name}: ${value} needs ${KEY_VARS[value]}`);
        }
    }
    const primary = explicitPrimary ?? PROVIDERS.find(hasKey) ?? "none";
    const secondary =
        explicitSecondary ?? PROVIDERS.find((p) => p !== primary && hasKey(p)) ?? "none";
    if (primary !== "none" && primary === secondary) {
        errors.push(`${ENV.llmSecondary}: must name a provider other than ${ENV.llmPrimary} (${primary})`);
    }
    if (primary === "none" && secondary !== "none" && explicitSecondary !== undefined) {
        errors.push(`${ENV.llmSecondary}: is set while ${ENV.llmPrimary} is none; set ${ENV.llmPrimary} instead`);
    }
    if (errors.length > 0) return {};
    const build = (p: Provider | "none"): LlmConfig | undefined => {
        if (p === "none") return undefined;
        const settings: Record<Provider, { model: string; baseUrl?: string }> = {
            openai: { model: e[TUNING_ENV.openaiModel], baseUrl: e[TUNING_ENV.openaiBaseUrl] },
            anthropic: { model: e[TUNING_ENV.anthropicModel], baseUrl: e[TUNING_ENV.anthropicBaseUrl] },
            google: { model: e[TUNING_ENV.googleModel], baseUrl: e[TUNING_ENV.googleBaseUrl] },
        };
        return { provider: p, apiKey: String(e[KEY_VARS[p]]), ...settings[p] };
    };
    return { primary: build(primary), secondary: build(secondary) };
}
