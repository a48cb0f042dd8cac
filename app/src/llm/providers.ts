import { ChatAnthropic } from "@langchain/anthropic";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatGoogleGenerativeAI } from "@langchain/google-genai";
import { ChatOpenAI } from "@langchain/openai";
import type { LlmConfig } from "../config";

/**
 * The LangChain chat model for a provider. LangChain's and the SDKs' own retries are switched
 * off (maxRetries 0): retries, timeouts and the breaker belong to our policy, where they are
 * bounded by the request's deadline and visible in metrics.
 */
export function createChatModel(config: LlmConfig, timeoutMs: number): BaseChatModel {
    const common = { model: config.model, apiKey: config.apiKey, maxRetries: 0, temperature: 0 };
    switch (config.provider) {
        case "openai":
            return new ChatOpenAI({
                ...common,
                timeout: timeoutMs,
                // Chat Completions: the API every OpenAI-compatible gateway speaks.
                useResponsesApi: false,
                configuration: config.baseUrl ? { baseURL: config.baseUrl } : undefined,
            });
        case "anthropic":
            return new ChatAnthropic({
                ...common,
                anthropicApiUrl: config.baseUrl,
                clientOptions: { timeout: timeoutMs },
            });
        case "google":
            return new ChatGoogleGenerativeAI({ ...common, baseUrl: config.baseUrl });
    }
}
