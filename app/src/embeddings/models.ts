/** Providers that can embed; "none" leaves retrieval on the local sparse vectors alone. */
export const EMBEDDING_PROVIDERS = ["openai", "google"] as const;
export type EmbeddingProvider = (typeof EMBEDDING_PROVIDERS)[number];

export const DEFAULT_EMBEDDING_MODELS: Record<EmbeddingProvider, string> = {
    openai: "text-embedding-3-small",
    google: "gemini-embedding-001",
};

/**
 * Widths of the models this service knows: the default (what the model returns unasked) and
 * the range it can be shortened to. A model outside this table needs its width given
 * explicitly; a width outside the range is refused at start instead of failing every call.
 */
export const KNOWN_EMBEDDING_MODELS: Record<string, { provider: EmbeddingProvider; defaultDimensions: number; min: number; max: number }> = {
    "text-embedding-3-small": { provider: "openai", defaultDimensions: 1536, min: 1, max: 1536 },
    "text-embedding-3-large": { provider: "openai", defaultDimensions: 3072, min: 1, max: 3072 },
    // Fixed width: the API refuses a `dimensions` argument for it.
    "text-embedding-ada-002": { provider: "openai", defaultDimensions: 1536, min: 1536, max: 1536 },
    "gemini-embedding-001": { provider: "google", defaultDimensions: 3072, min: 128, max: 3072 },
};

/** Qdrant's limit on a dense vector's width. */
export const MAX_DIMENSIONS = 65_536;

export interface DenseEmbeddingConfig {
    provider: EmbeddingProvider;
    model: string;
    dimensions: number;
    apiKey: string;
    /** Override of the provider's API root (the same one its chat models use). */
    baseUrl?: string;
    timeoutMs: number;
}

/** The vector space a model makes: two spaces are never mixed in one collection or ranking. */
export function spaceOf(config: Pick<DenseEmbeddingConfig, "provider" | "model" | "dimensions">): string {
    return `${config.provider}/${config.model}/${config.dimensions}`;
}

/**
 * The Qdrant collection that holds one space's vectors: `<alias>_<provider>_<model>_<dims>`, or
 * `<alias>_sparse` without a provider. The service reads and writes through the alias; a new
 * space gets a new collection, filled, then switched to (docs/service.md, "Retrieval").
 */
export function collectionFor(alias: string, space: string | undefined): string {
    const suffix = space === undefined ? "sparse" : space.replace(/[^A-Za-z0-9_-]+/g, "_");
    return `${alias}_${suffix}`.slice(0, 255);
}
