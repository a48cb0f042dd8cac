import type { ServerResponse } from "node:http";
import type { ModelInfo } from "@anthropic-ai/sdk/resources/models";
import type { Message } from "@anthropic-ai/sdk/resources/messages";
import { FinishReason, type BatchEmbedContentsResponse, type EmbedContentResponse, type GenerateContentResponse } from "@google/generative-ai";
import type { ChatCompletion } from "openai/resources/chat/completions";
import type { CreateEmbeddingResponse } from "openai/resources/embeddings";
import type { Model } from "openai/resources/models";
import { DEFAULT_MODELS } from "../../../app/src/config/env-schema";
import { KNOWN_EMBEDDING_MODELS } from "../../../app/src/embeddings/models";
import { HttpStandIn, sendJson, type RecordedRequest } from "./http-stand-in";

/** How the stand-in answers: normally, with an error status, or by holding the request. */
export type LlmMode =
    | { kind: "ok" }
    /**
     * An error with the provider's own body for that status. `retryAfterSeconds` adds the
     * `retry-after` header the providers send on 429/503/529; `quota` makes a 429 the permanent
     * kind (OpenAI `insufficient_quota`, Anthropic's spend limit, Google's exhausted quota).
     */
    | { kind: "status"; status: number; retryAfterSeconds?: number; quota?: boolean }
    /** Never answers on its own: the client's timeout fires, or release() lets it through. */
    | { kind: "hold" };

export type LlmApi = "openai" | "anthropic" | "google";

/**
 * A local stand-in for a provider API: OpenAI chat completions, Anthropic messages or Google
 * generateContent, plus each API's "get model" call, with each API's own success and error
 * bodies typed with the provider SDK's response types, so the real LangChain client parses them
 * and a contract change breaks the build. A model id outside `models` answers 404 as the
 * provider does. The answer text names the provider, so tests can see who answered.
 */
export class LlmStandIn extends HttpStandIn {
    mode: LlmMode = { kind: "ok" };
    /** How the embeddings endpoint answers, apart from the chat endpoint: one can fail while the other works. */
    embeddingsMode: LlmMode = { kind: "ok" };
    /** Model ids the provider knows; the service's defaults unless a test narrows them. */
    models: string[] = [...DEFAULT_KNOWN_MODELS];
    private held: Array<() => void> = [];

    constructor(readonly api: LlmApi) {
        super((request, res) => this.respond(request, res));
    }

    /** The base URL the service's *_BASE_URL variable takes. */
    get baseUrl(): string {
        return this.api === "openai" ? `${this.url}/v1` : this.url;
    }

    /** The environment that makes the service use this stand-in in the given slot of its chain. */
    envFor(slot: "primary" | "secondary"): Record<string, string> {
        const prefix = this.api.toUpperCase();
        return {
            [slot === "primary" ? "LLM_PRIMARY" : "LLM_SECONDARY"]: this.api,
            [`${prefix}_API_KEY`]: `${this.api}-test-key`,
            [`${prefix}_BASE_URL`]: this.baseUrl,
        };
    }

    get heldCount(): number {
        return this.held.length;
    }

    /** Calls that reached this provider's chat endpoint (not counting anything else). */
    calls(): number {
        return this.count((r) => r.method === "POST" && !isEmbeddingsPath(r.path));
    }

    /** Calls that reached this provider's embeddings endpoint. */
    embeddingCalls(): number {
        return this.count((r) => r.method === "POST" && isEmbeddingsPath(r.path));
    }

    /** The environment that makes the service embed with this stand-in (the key and base URL are shared with chat). */
    embeddingsEnv(model: string, dimensions: number): Record<string, string> {
        const prefix = this.api.toUpperCase();
        return {
            EMBEDDINGS_PROVIDER: this.api,
            EMBEDDINGS_MODEL: model,
            EMBEDDINGS_DIMENSIONS: String(dimensions),
            [`${prefix}_API_KEY`]: `${this.api}-test-key`,
            [`${prefix}_BASE_URL`]: this.baseUrl,
        };
    }

    release(): void {
        const waiting = this.held;
        this.held = [];
        for (const go of waiting) go();
    }

    override async stop(): Promise<void> {
        this.held = [];
        await super.stop();
    }

    private async respond(request: RecordedRequest, res: ServerResponse): Promise<void> {
        const path = request.path.split("?")[0];
        const modelLookup = /^\/v1(?:beta)?\/models\/([^/:]+)$/.exec(path);
        if (request.method === "GET" && modelLookup) {
            const id = decodeURIComponent(modelLookup[1]);
            if (!this.models.includes(id)) return this.fail(res, 404, {});
            return sendJson(res, 200, this.modelBody(id));
        }
        if (request.method === "POST" && isEmbeddingsPath(path)) return this.embed(request, res);
        if (this.mode.kind === "hold") {
            await new Promise<void>((resolve) => this.held.push(resolve));
            if (res.destroyed) return;
        }
        if (this.mode.kind === "status") return this.fail(res, this.mode.status, this.mode);
        const model = requestedModel(request, this.api);
        if (model !== undefined && !this.models.includes(model)) return this.fail(res, 404, {});
        sendJson(res, 200, this.successBody(`${this.api} says: ${lastUserText(request.body).slice(0, 60)}`, model ?? this.models[0]));
    }

    /** OpenAI /v1/embeddings, Google embedContent and batchEmbedContents, with standInEmbedding's vectors. */
    private async embed(request: RecordedRequest, res: ServerResponse): Promise<void> {
        const mode = this.embeddingsMode;
        if (mode.kind === "hold") {
            await new Promise<void>((resolve) => this.held.push(resolve));
            if (res.destroyed) return;
        }
        if (mode.kind === "status") return this.fail(res, mode.status, mode);
        if (this.api === "openai") {
            const body = request.body as { input: string | string[]; model: string; dimensions?: number; encoding_format?: string };
            const inputs = typeof body.input === "string" ? [body.input] : body.input;
            const base64 = body.encoding_format === "base64";
            const response: CreateEmbeddingResponse = {
                object: "list",
                model: body.model,
                data: inputs.map((text, index) => {
                    const values = standInEmbedding(text, body.dimensions ?? 1536);
                    // The SDK asks for base64 (little-endian float32) unless told otherwise, and decodes it itself.
                    const embedding = base64 ? (Buffer.from(new Float32Array(values).buffer).toString("base64") as unknown as number[]) : values;
                    return { object: "embedding", index, embedding };
                }),
                usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
            };
            return sendJson(res, 200, response);
        }
        type GoogleRequest = { content: { parts: Array<{ text: string }> }; outputDimensionality?: number };
        const one = (r: GoogleRequest) => ({ values: standInEmbedding(r.content.parts.map((p) => p.text).join(" "), r.outputDimensionality ?? 3072) });
        if (request.path.includes(":batchEmbedContents")) {
            const body = request.body as { requests: GoogleRequest[] };
            return sendJson(res, 200, { embeddings: body.requests.map(one) } satisfies BatchEmbedContentsResponse);
        }
        return sendJson(res, 200, { embedding: one(request.body as GoogleRequest) } satisfies EmbedContentResponse);
    }

    private fail(res: ServerResponse, status: number, how: { retryAfterSeconds?: number; quota?: boolean }): void {
        if (how.retryAfterSeconds !== undefined) res.setHeader("retry-after", String(how.retryAfterSeconds));
        sendJson(res, status, this.errorBody(status, how.quota === true));
    }

    private modelBody(id: string): Model | ModelInfo | { name: string; displayName: string } {
        switch (this.api) {
            case "openai":
                return { id, object: "model", created: 1_700_000_000, owned_by: "stand-in" } satisfies Model;
            case "anthropic":
                return { id, type: "model", display_name: id, created_at: "2025-10-01T00:00:00Z", capabilities: null, max_input_tokens: 200_000, max_tokens: 64_000 } satisfies ModelInfo;
            case "google":
                return { name: `models/${id}`, displayName: id };
        }
    }

    private successBody(text: string, model: string): ChatCompletion | Message | GenerateContentResponse {
        switch (this.api) {
            case "openai":
                return {
                    id: "chatcmpl-standin",
                    object: "chat.completion",
                    created: 1_700_000_000,
                    model,
                    choices: [{ index: 0, message: { role: "assistant", content: text, refusal: null }, finish_reason: "stop", logprobs: null }],
                    usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
                } satisfies ChatCompletion;
            case "anthropic":
                return {
                    id: "msg_standin",
                    type: "message",
                    role: "assistant",
                    model,
                    content: [{ type: "text", text, citations: null }],
                    stop_reason: "end_turn",
                    stop_sequence: null,
                    usage: { input_tokens: 11, output_tokens: 7 },
                } as Message; // the SDK's Message has grown optional-in-practice fields (container, cache usage) the API omits here
            case "google":
                return {
                    candidates: [{ content: { parts: [{ text }], role: "model" }, finishReason: FinishReason.STOP, index: 0 }],
                    usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 7, totalTokenCount: 18 },
                } satisfies GenerateContentResponse;
        }
    }

    /** Each provider's error body for a status, as its API documents it. */
    private errorBody(status: number, quota: boolean): unknown {
        switch (this.api) {
            case "openai": {
                const [type, code] = quota
                    ? ["insufficient_quota", "insufficient_quota"]
                    : (OPENAI_ERRORS[status] ?? ["server_error", null]);
                const message = quota ? "You exceeded your current quota, please check your plan and billing details." : `stand-in failure ${status}`;
                return { error: { message, type, param: null, code } };
            }
            case "anthropic": {
                const type = ANTHROPIC_ERRORS[status] ?? "api_error";
                const message = quota ? "You have reached your specified workspace API usage limits." : `stand-in failure ${status}`;
                return { type: "error", error: { type, message } };
            }
            case "google":
                return { error: { code: status, message: quota ? "You exceeded your current quota." : `stand-in failure ${status}`, status: GOOGLE_STATUS[status] ?? "INTERNAL" } };
        }
    }
}

function isEmbeddingsPath(path: string): boolean {
    return /\/embeddings$|:(batchEmbedContents|embedContent)$/.test(path.split("?")[0]);
}

/**
 * Words that mean the same to the stand-in's "model": each group is one dimension. A real
 * embedding model learns such neighbourhoods; this table makes one deterministic and small
 * enough to read, so a test can ask with a paraphrase that shares no word with the document.
 */
export const STAND_IN_CONCEPTS: string[][] = [
    ["car", "automobile", "vehicle", "auto"],
    ["start", "starts", "crank", "ignite", "ignition"],
    ["battery", "accumulator", "charge"],
    ["flat", "dead", "drained", "empty"],
    ["invoice", "bill", "receipt"],
    ["refund", "reimbursement", "repayment"],
];

/**
 * The stand-in provider's embedding: a bag of concepts (one dimension per STAND_IN_CONCEPTS
 * group), plus a small constant in the last dimension so that no text embeds to zero,
 * L2-normalised, `dimensions` wide.
 */
export function standInEmbedding(text: string, dimensions: number): number[] {
    const vector = new Array<number>(dimensions).fill(0);
    vector[dimensions - 1] = 0.1;
    for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
        const concept = STAND_IN_CONCEPTS.findIndex((group) => group.includes(word));
        if (concept >= 0 && concept < dimensions - 1) vector[concept] += 1;
    }
    const norm = Math.hypot(...vector);
    return vector.map((v) => v / norm);
}

/** The defaults of app/src/config/env-schema.ts: a stand-in knows them unless a test says otherwise. */
const DEFAULT_KNOWN_MODELS = [DEFAULT_MODELS.openai, DEFAULT_MODELS.anthropic, DEFAULT_MODELS.google, ...Object.keys(KNOWN_EMBEDDING_MODELS)];

const OPENAI_ERRORS: Record<number, [string, string | null]> = {
    400: ["invalid_request_error", null],
    401: ["invalid_request_error", "invalid_api_key"],
    404: ["invalid_request_error", "model_not_found"],
    429: ["requests", "rate_limit_exceeded"],
};

const ANTHROPIC_ERRORS: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
};

const GOOGLE_STATUS: Record<number, string> = { 400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE" };

/** The model a chat request names: in the body (OpenAI, Anthropic) or the path (Google). */
function requestedModel(request: RecordedRequest, api: LlmApi): string | undefined {
    if (api === "google") return /\/models\/([^/:]+):/.exec(request.path)?.[1];
    const body = request.body as { model?: unknown } | undefined;
    return typeof body?.model === "string" ? body.model : undefined;
}

/** The question, as the provider received it, from whichever message format the API uses. */
function lastUserText(body: unknown): string {
    const text = JSON.stringify(body ?? "");
    const match = /Question: ([^"\\]*)/.exec(text);
    return match ? match[1] : "";
}
