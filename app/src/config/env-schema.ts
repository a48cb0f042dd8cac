import { z } from "zod";
import { ADMIN_PORT, ENV, HTTP_PORT, HTTPS_PORT, TUNING_ENV } from "../contract";
import { EMBEDDING_PROVIDERS, MAX_DIMENSIONS } from "../embeddings/models";

/** Providers the fallback chain can use; "none" switches a slot off. */
export const PROVIDERS = ["openai", "anthropic", "google"] as const;
export type Provider = (typeof PROVIDERS)[number];

/**
 * Current model ids per provider (checked against the installed SDKs' model lists where they
 * have one). The program sets them explicitly per stack; these are the local defaults. A model
 * the provider does not know stops the service at start (app/src/llm/model-check.ts).
 */
export const DEFAULT_MODELS: Record<Provider, string> = {
    openai: "gpt-5.4-mini",
    anthropic: "claude-haiku-4-5",
    google: "gemini-2.5-flash",
};

/** Unset and empty mean the same thing: the deployment renders absent values as "". */
const blankToUndefined = (value: unknown): unknown => (value === "" ? undefined : value);

function integer(min: number, max: number, fallback: number) {
    return z.preprocess(
        blankToUndefined,
        z
            .string()
            .regex(/^\d+$/, `must be an integer from ${min} to ${max}`)
            .transform(Number)
            .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
            .default(fallback),
    );
}

const optionalText = z.preprocess(blankToUndefined, z.string().optional());

const optionalUrl = z.preprocess(
    blankToUndefined,
    z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
);

const providerSlot = z.preprocess(
    blankToUndefined,
    z.enum([...PROVIDERS, "none"], { error: `must be one of ${[...PROVIDERS, "none"].join(", ")}` }).optional(),
);

/** A comma-separated list of object-storage locations, each checked like a single one. */
const urlList = z.preprocess(
    blankToUndefined,
    z
        .string()
        .transform((value) => value.split(",").map((u) => u.trim()).filter((u) => u !== ""))
        .pipe(z.array(z.string().regex(/^(file|s3|gs):\/\/.+/, "each entry must be a file://, s3:// or gs:// URL")))
        .optional(),
);

const storageUrl = z.preprocess(blankToUndefined, z.string().regex(/^(file|s3|gs):\/\/.+/, "must be a file://, s3:// or gs:// URL").optional());

const flag = (fallback: boolean) =>
    z.preprocess(blankToUndefined, z.enum(["true", "false"], { error: "must be true or false" }).default(fallback ? "true" : "false").transform((v) => v === "true"));

/** One entry per environment variable, keyed by its name so errors name the variable. */
export const envSchema = z.object({
    [ENV.port]: integer(0, 65535, HTTP_PORT), // 0: any free port (tests),
    [ENV.httpsPort]: integer(0, 65535, HTTPS_PORT),
    [ENV.tlsCertFile]: optionalText,
    [ENV.tlsKeyFile]: optionalText,
    [ENV.region]: z.preprocess(blankToUndefined, z.string().default("local")),
    [ENV.dataDir]: z.preprocess(blankToUndefined, z.string().default("data")),
    [ENV.qdrantUrl]: optionalUrl,
    [ENV.qdrantApiKey]: optionalText,
    [ENV.qdrantCollection]: z.preprocess(
        blankToUndefined,
        z
            .string()
            .regex(/^[A-Za-z0-9_-]{1,255}$/, "must be 1-255 letters, digits, '_' or '-'")
            .default("documents"),
    ),
    [ENV.qdrantReplicationFactor]: integer(1, 16, 2),
    [ENV.qdrantWriteConsistencyFactor]: integer(1, 16, 1),
    [ENV.qdrantShardNumber]: integer(1, 64, 1),
    [ENV.llmPrimary]: providerSlot,
    [ENV.llmSecondary]: providerSlot,
    [ENV.openaiApiKey]: optionalText,
    [ENV.anthropicApiKey]: optionalText,
    [ENV.googleApiKey]: optionalText,
    [ENV.shutdownDrainMs]: integer(0, 600_000, 30_000),
    [ENV.role]: z.preprocess(blankToUndefined, z.enum(["active", "standby"], { error: "must be active or standby" }).default("active")),
    [ENV.journalUrl]: storageUrl,
    [ENV.peerJournalUrls]: urlList,
    [ENV.snapshotUrls]: urlList,
    [ENV.replicationMaxLagSeconds]: integer(1, 86_400, 60),
    [ENV.replicationApply]: flag(true),
    [ENV.leaseName]: optionalText,
    [ENV.podName]: optionalText,
    [ENV.podNamespace]: optionalText,
    [ENV.adminToken]: z.preprocess(blankToUndefined, z.string().min(16, "must be at least 16 characters").optional()),
    [ENV.embeddingsProvider]: z.preprocess(
        blankToUndefined,
        z.enum([...EMBEDDING_PROVIDERS, "none"], { error: `must be one of ${[...EMBEDDING_PROVIDERS, "none"].join(", ")}` }).default("none"),
    ),
    [ENV.embeddingsModel]: z.preprocess(blankToUndefined, z.string().regex(/^[A-Za-z0-9][\w.:/-]*$/, "must be a model id such as text-embedding-3-small").optional()),
    [ENV.embeddingsDimensions]: z.preprocess(
        blankToUndefined,
        z
            .string()
            .regex(/^\d+$/, `must be an integer from 1 to ${MAX_DIMENSIONS}`)
            .transform(Number)
            .pipe(z.number().int().min(1, "must be at least 1").max(MAX_DIMENSIONS, `must be at most ${MAX_DIMENSIONS} (Qdrant's limit)`))
            .optional(),
    ),
    [TUNING_ENV.embeddingsTimeoutMs]: integer(50, 60_000, 3_000),
    // Listeners and authentication (config/auth.ts checks them together).
    [ENV.host]: z.preprocess(blankToUndefined, z.string().regex(/^[0-9A-Za-z.:-]+$/, "must be an IP address or host name").default("127.0.0.1")),
    [ENV.adminPort]: integer(0, 65535, ADMIN_PORT),
    [ENV.apiKeys]: optionalText,
    [ENV.authDisabled]: flag(false),
    [TUNING_ENV.apiKeyRatePerSecond]: integer(1, 100_000, 50),
    [TUNING_ENV.apiKeyBurst]: integer(1, 100_000, 100),
    [TUNING_ENV.headersTimeoutMs]: integer(100, 300_000, 30_000),
    [TUNING_ENV.logLevel]: z.preprocess(
        blankToUndefined,
        z
            .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
                error: "must be one of fatal, error, warn, info, debug, trace, silent",
            })
            .default("info"),
    ),
    [TUNING_ENV.openaiBaseUrl]: optionalUrl,
    [TUNING_ENV.anthropicBaseUrl]: optionalUrl,
    [TUNING_ENV.googleBaseUrl]: optionalUrl,
    [TUNING_ENV.openaiModel]: z.preprocess(blankToUndefined, z.string().default(DEFAULT_MODELS.openai)),
    [TUNING_ENV.anthropicModel]: z.preprocess(blankToUndefined, z.string().default(DEFAULT_MODELS.anthropic)),
    [TUNING_ENV.googleModel]: z.preprocess(blankToUndefined, z.string().default(DEFAULT_MODELS.google)),
    [TUNING_ENV.askDeadlineMs]: integer(100, 300_000, 25_000),
    [TUNING_ENV.llmTimeoutMs]: integer(50, 300_000, 10_000),
    [TUNING_ENV.llmMaxConcurrency]: integer(1, 10_000, 32),
    [TUNING_ENV.llmQueueSize]: integer(0, 10_000, 64),
    [TUNING_ENV.vectorTimeoutMs]: integer(20, 60_000, 2_000),
    [TUNING_ENV.maxRetries]: integer(0, 10, 2),
    [TUNING_ENV.retryInitialDelayMs]: integer(1, 10_000, 100),
    [TUNING_ENV.breakerHalfOpenMs]: integer(10, 600_000, 30_000),
    [TUNING_ENV.breakerFailureRatePercent]: integer(1, 99, 50),
    [TUNING_ENV.breakerWindowMs]: integer(100, 600_000, 30_000),
    [TUNING_ENV.breakerMinCalls]: integer(1, 100_000, 20),
    [TUNING_ENV.healthProbeAttempts]: integer(1, 10, 3),
    [TUNING_ENV.healthSlowMs]: integer(1, 60_000, 500),
    [TUNING_ENV.healthResponseMs]: integer(10, 60_000, 1_500),
    [TUNING_ENV.healthCacheMs]: integer(0, 60_000, 1_000),
    [TUNING_ENV.askMaxConcurrency]: integer(1, 10_000, 64),
    [TUNING_ENV.askQueueSize]: integer(0, 10_000, 128),
    [TUNING_ENV.ingestMaxConcurrency]: integer(1, 1_000, 4),
    [TUNING_ENV.ingestQueueSize]: integer(0, 10_000, 16),
    [TUNING_ENV.shedEventLoopDelayMs]: integer(0, 60_000, 500), // 0: off
    [TUNING_ENV.bodyLimitBytes]: integer(1_024, 64 * 1024 * 1024, 1024 * 1024),
    [TUNING_ENV.maxDocumentsPerRequest]: integer(1, 10_000, 100),
    [TUNING_ENV.retrievalTopK]: integer(1, 50, 4),
    [TUNING_ENV.replicationPollMs]: integer(50, 60_000, 1_000),
    [TUNING_ENV.s3Endpoint]: optionalUrl,
    [TUNING_ENV.gcsEndpoint]: optionalUrl,
});

export type Env = z.infer<typeof envSchema>;
