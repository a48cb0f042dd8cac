import type { Embeddings } from "@langchain/core/embeddings";
import { GoogleGenerativeAIEmbeddings } from "@langchain/google-genai";
import { OpenAIEmbeddings } from "@langchain/openai";
import { KNOWN_EMBEDDING_MODELS, type DenseEmbeddingConfig } from "./models";

/**
 * The LangChain embeddings client of a provider. Its own retries are off (maxRetries 0): retries,
 * timeouts and the breaker belong to our policy (embeddings/vectorizer.ts).
 */
export function createDenseEmbeddings(config: DenseEmbeddingConfig): Embeddings {
    switch (config.provider) {
        case "openai":
            return new OpenAIEmbeddings({
                model: config.model,
                apiKey: config.apiKey,
                // A fixed-width model refuses the argument; the others are asked for the configured width.
                dimensions: fixedWidth(config.model) ? undefined : config.dimensions,
                timeout: config.timeoutMs,
                maxRetries: 0,
                configuration: config.baseUrl ? { baseURL: config.baseUrl } : undefined,
            });
        case "google":
            return new GoogleGenerativeAIEmbeddings({
                model: config.model,
                apiKey: config.apiKey,
                outputDimensionality: config.dimensions,
                maxRetries: 0,
                baseUrl: config.baseUrl,
            });
    }
}

function fixedWidth(model: string): boolean {
    const known = KNOWN_EMBEDDING_MODELS[model];
    return known !== undefined && known.min === known.max;
}
