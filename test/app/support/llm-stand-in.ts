import type { ServerResponse } from "node:http";
import { HttpStandIn, sendJson, type RecordedRequest } from "./http-stand-in";

/** How the stand-in answers: normally, with an error status, or by holding the request. */
export type LlmMode =
    | { kind: "ok" }
    | { kind: "status"; status: number }
    /** Never answers on its own: the client's timeout fires, or release() lets it through. */
    | { kind: "hold" };

export type LlmApi = "openai" | "anthropic" | "google";

/**
 * A local stand-in for a provider API: OpenAI chat completions, Anthropic messages or Google
 * generateContent, with each API's own success and error bodies, so the real LangChain client
 * parses them. The answer text names the provider, so tests can see who answered.
 */
export class LlmStandIn extends HttpStandIn {
    mode: LlmMode = { kind: "ok" };
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

    /** Calls that reached this provider's API endpoint (not counting anything else). */
    calls(): number {
        return this.count((r) => r.method === "POST");
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
        if (this.mode.kind === "hold") {
            await new Promise<void>((resolve) => this.held.push(resolve));
            if (res.destroyed) return;
        }
        if (this.mode.kind === "status") {
            sendJson(res, this.mode.status, this.errorBody(this.mode.status));
            return;
        }
        sendJson(res, 200, this.successBody(`${this.api} says: ${lastUserText(request.body).slice(0, 60)}`));
    }

    private successBody(text: string): unknown {
        switch (this.api) {
            case "openai":
                return {
                    id: "chatcmpl-standin",
                    object: "chat.completion",
                    created: 1_700_000_000,
                    model: "gpt-4o-mini",
                    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
                    usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
                };
            case "anthropic":
                return {
                    id: "msg_standin",
                    type: "message",
                    role: "assistant",
                    model: "claude-3-5-haiku-latest",
                    content: [{ type: "text", text }],
                    stop_reason: "end_turn",
                    stop_sequence: null,
                    usage: { input_tokens: 11, output_tokens: 7 },
                };
            case "google":
                return {
                    candidates: [{ content: { parts: [{ text }], role: "model" }, finishReason: "STOP", index: 0 }],
                    usageMetadata: { promptTokenCount: 11, candidatesTokenCount: 7, totalTokenCount: 18 },
                };
        }
    }

    private errorBody(status: number): unknown {
        switch (this.api) {
            case "openai":
                return { error: { message: `stand-in failure ${status}`, type: "server_error", code: null } };
            case "anthropic":
                return { type: "error", error: { type: "api_error", message: `stand-in failure ${status}` } };
            case "google":
                return { error: { code: status, message: `stand-in failure ${status}`, status: "UNAVAILABLE" } };
        }
    }
}

/** The question, as the provider received it, from whichever message format the API uses. */
function lastUserText(body: unknown): string {
    const text = JSON.stringify(body ?? "");
    const match = /Question: ([^"\\]*)/.exec(text);
    return match ? match[1] : "";
}
