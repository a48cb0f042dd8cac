/** Errors that routes turn into specific HTTP answers; anything else is a 500. */
export class HttpError extends Error {
    constructor(
        readonly statusCode: number,
        message: string,
        readonly retryAfterSeconds?: number,
        options?: ErrorOptions,
    ) {
        super(message, options);
        this.name = "HttpError";
    }
}

/** Load shed: the LLM bulkhead and its queue are full. */
export class OverloadedError extends HttpError {
    constructor(retryAfterSeconds: number) {
        super(429, "too many concurrent answers; retry later", retryAfterSeconds);
        this.name = "OverloadedError";
    }
}

/** Neither the knowledge base nor any language model can answer. */
export class NoAnswerPathError extends HttpError {
    constructor(retryAfterSeconds: number) {
        super(503, "no answer path available: knowledge base and language models are unavailable", retryAfterSeconds);
        this.name = "NoAnswerPathError";
    }
}
