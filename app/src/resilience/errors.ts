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

/** Load shed: a route's (or the LLM bulkhead's) concurrency limit and its queue are full. */
export class OverloadedError extends HttpError {
    constructor(retryAfterSeconds: number, what = "answers") {
        super(429, `too many concurrent ${what}; retry later`, retryAfterSeconds);
        this.name = "OverloadedError";
    }
}

/**
 * The request's own content cannot be sent to a dependency (metadata too deeply nested or too
 * large to serialize): the client's fault, never counted as the dependency failing.
 */
export class InvalidInputError extends HttpError {
    constructor(message: string, options?: ErrorOptions) {
        super(400, message, undefined, options);
        this.name = "InvalidInputError";
    }
}

/** Neither the knowledge base nor any language model can answer. */
export class NoAnswerPathError extends HttpError {
    constructor(retryAfterSeconds: number) {
        super(503, "no answer path available: knowledge base and language models are unavailable", retryAfterSeconds);
        this.name = "NoAnswerPathError";
    }
}
