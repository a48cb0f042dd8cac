import { BrokenCircuitError, BulkheadRejectedError, IsolatedCircuitError, TaskCancelledError } from "cockatiel";
import { InvalidInputError } from "./errors";

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set([
    "ECONNREFUSED",
    "ECONNRESET",
    "EPIPE",
    "ETIMEDOUT",
    "EAI_AGAIN",
    "ENOTFOUND",
    "UND_ERR_SOCKET",
    "UND_ERR_CONNECT_TIMEOUT",
    "UND_ERR_HEADERS_TIMEOUT",
    "UND_ERR_BODY_TIMEOUT",
]);

interface ErrorShape {
    status?: unknown;
    statusCode?: unknown;
    code?: unknown;
    name?: unknown;
    message?: unknown;
    cause?: unknown;
    response?: { status?: unknown };
}

/** HTTP status carried by a provider SDK error, under whichever name that SDK uses. */
function statusOf(error: unknown): number | undefined {
    if (typeof error !== "object" || error === null) return undefined;
    const e = error as ErrorShape;
    for (const candidate of [e.status, e.statusCode, e.response?.status]) {
        if (typeof candidate === "number") return candidate;
    }
    // The Qdrant client and Google's SDK only put the status in the message.
    const text = typeof e.message === "string" ? e.message : "";
    const match = /(?:Unexpected Response: |\[)(\d{3})(?:\b| )/.exec(text);
    return match ? Number(match[1]) : undefined;
}

function isNetworkError(error: unknown, depth = 0): boolean {
    if (typeof error !== "object" || error === null || depth > 4) return false;
    const e = error as ErrorShape;
    if (typeof e.code === "string" && NETWORK_CODES.has(e.code)) return true;
    const name = typeof e.name === "string" ? e.name : "";
    if (/Connection|Timeout/i.test(name)) return true;
    const message = typeof e.message === "string" ? e.message : "";
    if (/fetch failed|socket hang up|network|ECONNREFUSED|ECONNRESET|timed? ?out/i.test(message)) return true;
    return isNetworkError(e.cause, depth + 1);
}

/** The response headers an SDK error carries (Headers in the OpenAI and Anthropic SDKs, a record elsewhere). */
function headerOf(error: unknown, name: string, depth = 0): string | undefined {
    if (typeof error !== "object" || error === null || depth > 3) return undefined;
    const headers = (error as { headers?: unknown }).headers;
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    if (typeof headers === "object" && headers !== null) {
        const value = (headers as Record<string, unknown>)[name];
        if (typeof value === "string") return value;
    }
    return headerOf((error as ErrorShape).cause, name, depth + 1);
}

/**
 * How long the provider asked us to wait, in ms: `retry-after-ms`, `retry-after` (seconds or an
 * HTTP date), or Google's RetryInfo detail ("12s"). Undefined when it said nothing.
 */
export function retryAfterMs(error: unknown): number | undefined {
    const ms = Number(headerOf(error, "retry-after-ms"));
    if (Number.isFinite(ms) && ms >= 0 && headerOf(error, "retry-after-ms") !== undefined) return ms;
    const after = headerOf(error, "retry-after");
    if (after !== undefined) {
        const seconds = Number(after);
        if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
        const date = Date.parse(after);
        if (Number.isFinite(date)) return Math.max(0, date - Date.now());
    }
    const details = (error as { errorDetails?: unknown } | null)?.errorDetails;
    if (Array.isArray(details)) {
        for (const detail of details as Array<{ "@type"?: string; retryDelay?: string }>) {
            const match = /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay ?? "");
            if (detail["@type"]?.endsWith("RetryInfo") && match) return Number(match[1]) * 1000;
        }
    }
    return undefined;
}

/**
 * A 429 that waiting will not fix: OpenAI's `insufficient_quota` (no credit left) and
 * Anthropic's workspace spend limits. Retrying only spends the deadline, and the provider is
 * not down: the breaker must not count it as an outage.
 */
export function isPermanentQuota(error: unknown): boolean {
    if (statusOf(error) !== 429 || typeof error !== "object" || error === null) return false;
    const e = error as { code?: unknown; type?: unknown; error?: { type?: unknown; code?: unknown; error?: { type?: unknown } }; message?: unknown };
    const codes = [e.code, e.type, e.error?.type, e.error?.code, e.error?.error?.type];
    if (codes.includes("insufficient_quota")) return true;
    const message = typeof e.message === "string" ? e.message : "";
    return /insufficient_quota|usage limits|spend limit|credit balance/i.test(message);
}

/** Statuses with which a dependency refuses a request for its content: it answered, so it is up. */
const CONTENT_REFUSED_STATUS = new Set([400, 413, 422]);

/**
 * The request's own input is at fault, not the dependency: serialization or validation errors
 * raised on our side of the wire (JSON.stringify of metadata nested 10,000 levels deep throws a
 * RangeError, a circular or BigInt value a TypeError), or a dependency refusing the content
 * (400, 413, 422). Never retried, never counted by a breaker, answered 4xx. A TypeError that is a
 * network failure (undici's "fetch failed") is not input.
 */
export function isInputFault(error: unknown): boolean {
    if (error instanceof InvalidInputError) return true;
    if (typeof error !== "object" || error === null || isNetworkError(error)) return false;
    if (error instanceof RangeError) return true;
    if (error instanceof TypeError && /circular structure|BigInt|JSON|serializ/i.test(error.message)) return true;
    const status = statusOf(error);
    return status !== undefined && CONTENT_REFUSED_STATUS.has(status);
}

/** Our own policy outcomes: never worth another attempt. */
export function isPolicyRejection(error: unknown): boolean {
    return (
        error instanceof BrokenCircuitError ||
        error instanceof IsolatedCircuitError ||
        error instanceof BulkheadRejectedError
    );
}

/**
 * Transient failures only: timeouts, connection errors, 408/425/429/5xx. A 400 or 401 will fail
 * the same way again, so retrying it only spends the request's deadline.
 */
export function isRetryable(error: unknown): boolean {
    if (isPolicyRejection(error) || isPermanentQuota(error) || isInputFault(error)) return false;
    if (error instanceof TaskCancelledError) return true;
    const status = statusOf(error);
    if (status !== undefined) return RETRYABLE_STATUS.has(status) || status >= 500;
    return isNetworkError(error);
}

/** A short public description of a failure: enough for an operator, nothing internal (hosts, keys). */
export function describeFailure(error: unknown): string {
    if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) return "breaker open";
    if (error instanceof TaskCancelledError) return "timeout";
    if (isPermanentQuota(error)) return "quota exhausted (HTTP 429)";
    const status = statusOf(error);
    if (status !== undefined) return `HTTP ${status}`;
    if (isNetworkError(error)) return "unreachable";
    return error instanceof Error && error.name !== "Error" ? error.name : "error";
}
