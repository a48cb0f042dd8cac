/**
 * What the Pulumi program and the service must agree on: ports, probe paths and the names of
 * the environment variables the program sets on the container. Kept in one dependency-free
 * module that both `infra/` and `app/` import, so a renamed path cannot break the probes.
 */

/** Plain-HTTP port: probes, in-cluster traffic, and the AWS NLB (which terminates TLS). */
export const HTTP_PORT = 8080;
/** HTTPS port, served only when TLS_CERT_FILE and TLS_KEY_FILE are set (GCP side, no TLS-terminating LB). */
export const HTTPS_PORT = 8443;

/**
 * Admin port: `/metrics` and the detailed `/health`. No load balancer exposes it; the pods'
 * NetworkPolicy admits only in-cluster monitoring to it.
 */
export const ADMIN_PORT = 9090;

/**
 * Name of the container port that serves `PROBE_PATHS.metrics` (the admin port); scrape targets
 * on both clouds refer to the port by this name, so moving /metrics is a change here only.
 */
export const METRICS_PORT_NAME = "admin";

/**
 * Upper bounds (seconds) of the service's latency histogram buckets: from a local lookup (~1 ms)
 * to an LLM call near its timeout. A latency SLO's threshold must be one of them.
 */
export const HTTP_LATENCY_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 5, 10, 30] as const;

export const PROBE_PATHS = {
    /** Shallow: the process is alive. No I/O. Kubernetes liveness. */
    livez: "/livez",
    /** This instance can serve. Kubernetes readiness and startup. */
    readyz: "/readyz",
    /** Deep: the region can serve. What Route53 health checks probe. */
    health: "/health",
    metrics: "/metrics",
    /** Replication state: role, epoch, position, lag, fitness for failover. */
    replication: "/v1/replication",
} as const;

/** Environment variables the deployment sets; the service validates them at start-up. */
export const ENV = {
    port: "PORT",
    httpsPort: "HTTPS_PORT",
    tlsCertFile: "TLS_CERT_FILE",
    tlsKeyFile: "TLS_KEY_FILE",
    region: "REGION_NAME",
    dataDir: "DATA_DIR",
    qdrantUrl: "QDRANT_URL",
    qdrantApiKey: "QDRANT_API_KEY",
    qdrantCollection: "QDRANT_COLLECTION",
    qdrantReplicationFactor: "QDRANT_REPLICATION_FACTOR",
    qdrantWriteConsistencyFactor: "QDRANT_WRITE_CONSISTENCY_FACTOR",
    qdrantShardNumber: "QDRANT_SHARD_NUMBER",
    llmPrimary: "LLM_PRIMARY",
    llmSecondary: "LLM_SECONDARY",
    openaiApiKey: "OPENAI_API_KEY",
    anthropicApiKey: "ANTHROPIC_API_KEY",
    googleApiKey: "GOOGLE_API_KEY",
    shutdownDrainMs: "SHUTDOWN_DRAIN_MS",
    /** Replication (docs/service.md, "Standby replication"). */
    role: "ROLE",
    journalUrl: "JOURNAL_URL",
    peerJournalUrls: "PEER_JOURNAL_URLS",
    snapshotUrls: "SNAPSHOT_URLS",
    replicationMaxLagSeconds: "REPLICATION_MAX_LAG_SECONDS",
    replicationApply: "REPLICATION_APPLY",
    leaseName: "LEASE_NAME",
    podName: "POD_NAME",
    podNamespace: "POD_NAMESPACE",
    adminToken: "ADMIN_TOKEN",
    /** Dense embeddings (docs/service.md, "Retrieval"); the provider's key is its LLM key. */
    embeddingsProvider: "EMBEDDINGS_PROVIDER",
    embeddingsModel: "EMBEDDINGS_MODEL",
    embeddingsDimensions: "EMBEDDINGS_DIMENSIONS",
    /** Authentication and listeners (docs/service.md, "Authentication" and "Ports"). */
    host: "HOST",
    adminPort: "ADMIN_PORT",
    apiKeys: "API_KEYS",
    authDisabled: "AUTH_DISABLED",
} as const;

/** Seconds the pod gets after SIGTERM; the service drains within it (terminationGracePeriodSeconds). */
export const TERMINATION_GRACE_SECONDS = 45;

/** Qdrant's own ports and health endpoints (https://qdrant.tech/documentation/guides/monitoring/). */
export const QDRANT = {
    httpPort: 6333,
    grpcPort: 6334,
    p2pPort: 6335,
    livenessPath: "/livez",
    readinessPath: "/readyz",
} as const;

/**
 * Optional tuning the service also reads. The deployment may leave them unset (the defaults are
 * the production values); tests and local runs use them to point providers at stand-ins and to
 * shrink timeouts.
 */
export const TUNING_ENV = {
    logLevel: "LOG_LEVEL",
    openaiBaseUrl: "OPENAI_BASE_URL",
    anthropicBaseUrl: "ANTHROPIC_BASE_URL",
    googleBaseUrl: "GOOGLE_BASE_URL",
    openaiModel: "OPENAI_MODEL",
    anthropicModel: "ANTHROPIC_MODEL",
    googleModel: "GOOGLE_MODEL",
    askDeadlineMs: "ASK_DEADLINE_MS",
    llmTimeoutMs: "LLM_TIMEOUT_MS",
    llmMaxConcurrency: "LLM_MAX_CONCURRENCY",
    llmQueueSize: "LLM_QUEUE_SIZE",
    vectorTimeoutMs: "VECTOR_TIMEOUT_MS",
    maxRetries: "MAX_RETRIES",
    retryInitialDelayMs: "RETRY_INITIAL_DELAY_MS",
    breakerHalfOpenMs: "BREAKER_HALF_OPEN_MS",
    /** Failure-rate breakers (docs/service.md, "Degradation behaviour"). */
    breakerFailureRatePercent: "BREAKER_FAILURE_RATE_PERCENT",
    breakerWindowMs: "BREAKER_WINDOW_MS",
    breakerMinCalls: "BREAKER_MIN_CALLS",
    /** The region health probe (docs/service.md, "Health semantics"). */
    healthProbeAttempts: "HEALTH_PROBE_ATTEMPTS",
    healthSlowMs: "HEALTH_SLOW_MS",
    healthResponseMs: "HEALTH_RESPONSE_MS",
    healthCacheMs: "HEALTH_CACHE_MS",
    /** Load shedding of the expensive routes (docs/service.md, "Load shedding"). */
    askMaxConcurrency: "ASK_MAX_CONCURRENCY",
    askQueueSize: "ASK_QUEUE_SIZE",
    ingestMaxConcurrency: "INGEST_MAX_CONCURRENCY",
    ingestQueueSize: "INGEST_QUEUE_SIZE",
    shedEventLoopDelayMs: "SHED_EVENT_LOOP_DELAY_MS",
    bodyLimitBytes: "BODY_LIMIT_BYTES",
    maxDocumentsPerRequest: "MAX_DOCUMENTS_PER_REQUEST",
    retrievalTopK: "RETRIEVAL_TOP_K",
    replicationPollMs: "REPLICATION_POLL_MS",
    /** Per API key: sustained requests per second and burst (a token bucket per key id). */
    apiKeyRatePerSecond: "API_KEY_RATE_PER_SECOND",
    apiKeyBurst: "API_KEY_BURST",
    /** Time a client has to send its request headers (and its whole request). */
    headersTimeoutMs: "HEADERS_TIMEOUT_MS",
    /** S3 and GCS API endpoints of stand-ins or compatible stores; unset for the real clouds. */
    s3Endpoint: "S3_ENDPOINT",
    gcsEndpoint: "GCS_ENDPOINT",
    /** Per attempt of an embedding call; short, since a question waits for it. */
    embeddingsTimeoutMs: "EMBEDDINGS_TIMEOUT_MS",
} as const;
