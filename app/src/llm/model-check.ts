import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { TUNING_ENV } from "../contract";
import type { LlmConfig, Provider } from "../config";

const MODEL_VARIABLE: Record<Provider, string> = {
    openai: TUNING_ENV.openaiModel,
    anthropic: TUNING_ENV.anthropicModel,
    google: TUNING_ENV.googleModel,
};

const GOOGLE_API = "https://generativelanguage.googleapis.com";

export type ModelCheck = { ok: true } | { ok: false; fatal: boolean; line: string };

/**
 * Asks the provider whether it knows the configured model, once, at start. A 404 is a
 * configuration error (a retired or misspelt id would otherwise fail every call and open the
 * breaker as if the provider were down); anything else (unreachable, 5xx, a key problem) is
 * reported and the service starts anyway: the answer chain degrades past that provider.
 * Embedding models are checked the same way, named by their own variable.
 */
export async function checkModel(llm: LlmConfig, timeoutMs: number, variable: string = MODEL_VARIABLE[llm.provider]): Promise<ModelCheck> {
    try {
        const status = await lookUp(llm, timeoutMs);
        if (status === 200) return { ok: true };
        if (status === 404) return { ok: false, fatal: true, line: `${variable}: ${llm.provider} does not know the model "${llm.model}" (404); set a current model id` };
        return { ok: false, fatal: false, line: `${variable}: could not confirm "${llm.model}" with ${llm.provider} (HTTP ${status})` };
    } catch (error) {
        return { ok: false, fatal: false, line: `${variable}: could not confirm "${llm.model}" with ${llm.provider} (${error instanceof Error ? error.message : String(error)})` };
    }
}

/** The HTTP status of the provider's "get model" call, through its own SDK where it has one. */
async function lookUp(llm: LlmConfig, timeoutMs: number): Promise<number> {
    const options = { apiKey: llm.apiKey, timeout: timeoutMs, maxRetries: 0 };
    try {
        switch (llm.provider) {
            case "openai":
                await new OpenAI({ ...options, baseURL: llm.baseUrl }).models.retrieve(llm.model);
                return 200;
            case "anthropic":
                await new Anthropic({ ...options, baseURL: llm.baseUrl }).models.retrieve(llm.model);
                return 200;
            case "google": {
                // The Gemini SDK LangChain uses has no model lookup: its REST call, with the same key header.
                const response = await fetch(`${llm.baseUrl ?? GOOGLE_API}/v1beta/models/${encodeURIComponent(llm.model)}`, {
                    headers: { "x-goog-api-key": llm.apiKey },
                    signal: AbortSignal.timeout(timeoutMs),
                });
                await response.arrayBuffer();
                return response.status;
            }
        }
    } catch (error) {
        if (error instanceof OpenAI.APIError || error instanceof Anthropic.APIError) {
            if (typeof error.status === "number") return error.status;
        }
        throw error;
    }
}
