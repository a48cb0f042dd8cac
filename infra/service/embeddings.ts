import { ENV } from "../../app/src/contract";
import type { StackConfig } from "../config";

/**
 * The service's embedding settings from the stack's `app.embeddings` (model and width already
 * resolved by the config schema); the provider's key reaches the pods through the same Secret
 * as its LLM key. Serving and follower pods get the same values: both must write one space.
 */
export function embeddingsEnv(e: StackConfig["app"]["embeddings"]): Record<string, string> {
    if (e.provider === "none") return { [ENV.embeddingsProvider]: "none" };
    return { [ENV.embeddingsProvider]: e.provider, [ENV.embeddingsModel]: e.model, [ENV.embeddingsDimensions]: String(e.dimensions) };
}
