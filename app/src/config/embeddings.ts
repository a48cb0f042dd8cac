import { ENV, TUNING_ENV } from "../contract";
import { DEFAULT_EMBEDDING_MODELS, KNOWN_EMBEDDING_MODELS, type DenseEmbeddingConfig } from "../embeddings/models";
import type { Env } from "./env-schema";

const KEYS = { openai: ENV.openaiApiKey, google: ENV.googleApiKey } as const;
const BASE_URLS = { openai: TUNING_ENV.openaiBaseUrl, google: TUNING_ENV.googleBaseUrl } as const;

/**
 * The dense embedding settings, checked across variables: the provider's key, a model of that
 * provider, a width the model can produce. Each problem is one line naming the variable.
 */
export function chooseEmbeddings(e: Env, errors: string[]): DenseEmbeddingConfig | undefined {
    const provider = e[ENV.embeddingsProvider];
    const model = e[ENV.embeddingsModel];
    const dimensions = e[ENV.embeddingsDimensions];
    if (provider === "none") {
        for (const [name, value] of [[ENV.embeddingsModel, model], [ENV.embeddingsDimensions, dimensions]] as const) {
            if (value !== undefined) errors.push(`${name}: is set while ${ENV.embeddingsProvider} is none; set ${ENV.embeddingsProvider} too`);
        }
        return undefined;
    }
    const before = errors.length;
    const apiKey = e[KEYS[provider]];
    if (apiKey === undefined) errors.push(`${ENV.embeddingsProvider}: ${provider} needs ${KEYS[provider]}`);
    const chosen = model ?? DEFAULT_EMBEDDING_MODELS[provider];
    const known = KNOWN_EMBEDDING_MODELS[chosen];
    if (known && known.provider !== provider) {
        errors.push(`${ENV.embeddingsModel}: ${chosen} is a ${known.provider} model, not ${provider}'s`);
    } else if (known && dimensions !== undefined && (dimensions < known.min || dimensions > known.max)) {
        const range = known.min === known.max ? `only ${known.max}` : `${known.min} to ${known.max}`;
        errors.push(`${ENV.embeddingsDimensions}: ${chosen} makes vectors of ${range} dimensions, not ${dimensions}`);
    } else if (!known && dimensions === undefined) {
        errors.push(`${ENV.embeddingsDimensions}: is required for ${chosen} (its width is not known to this service)`);
    }
    if (errors.length > before) return undefined;
    return {
        provider,
        model: chosen,
        dimensions: dimensions ?? known!.defaultDimensions,
        apiKey: apiKey!,
        baseUrl: e[BASE_URLS[provider]],
        timeoutMs: e[TUNING_ENV.embeddingsTimeoutMs],
    };
}
