import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BrokenCircuitError, BulkheadRejectedError, IsolatedCircuitError, TaskCancelledError } from "cockatiel";
import { describeFailure, isInputFault, isPermanentQuota, isPolicyRejection, isRetryable, retryAfterMs } from "../../app/src/resilience/classify";
import { HttpError, InvalidInputError, NoAnswerPathError, OverloadedError } from "../../app/src/resilience/errors";

/**
 * How the service classifies a dependency's failure (retry it, count it against the dependency,
 * answer 4xx) and what it tells the client: every SDK's shape, one case per branch.
 */

const withStatus = (status: number, message = `status ${status}`) => Object.assign(new Error(message), { status });
/** `error` nested `depth` causes deep. */
function nested(error: unknown, depth: number): unknown {
    let e = error;
    for (let i = 0; i < depth; i++) e = new Error(`wrapper ${i}`, { cause: e });
    return e;
}
const withHeaders = (headers: unknown) => Object.assign(new Error("limited"), { status: 429, headers });

describe("HTTP status of a provider's error (exact)", () => {
    it("reads status, statusCode and response.status, numbers only", () => {
        assert.equal(describeFailure(withStatus(502)), "HTTP 502");
        assert.equal(describeFailure(Object.assign(new Error("x"), { statusCode: 503 })), "HTTP 503");
        assert.equal(describeFailure(Object.assign(new Error("x"), { response: { status: 504 } })), "HTTP 504");
        assert.equal(describeFailure(Object.assign(new Error("x"), { status: "502" })), "error", "a status that is not a number is no status");
        assert.equal(describeFailure(Object.assign(new Error("x"), { status: 401, statusCode: 502 })), "HTTP 401", "status first");
    });

    it("reads Qdrant's and Google's status from the message only in their own forms", () => {
        assert.equal(describeFailure(new Error("Unexpected Response: 503 Service Unavailable")), "HTTP 503");
        assert.equal(describeFailure(new Error("Unexpected Response: 404")), "HTTP 404");
        assert.equal(describeFailure(new Error("[GoogleGenerativeAI Error]: Error fetching: [429 Too Many Requests] quota")), "HTTP 429");
        assert.equal(describeFailure(new Error("[503]")), "HTTP 503");
        assert.equal(describeFailure(new Error("[5034] not a status")), "error");
        assert.equal(describeFailure(new Error("Unexpected Response: 50")), "error");
        assert.equal(describeFailure(new Error("answered 503")), "error", "a number alone is not a status");
        assert.equal(describeFailure(Object.assign(Object.create(null) as object, { message: 42 })), "error");
        assert.equal(describeFailure(null), "error");
        assert.equal(isRetryable(null), false);
    });
});

describe("network failures (exact)", () => {
    const codes = ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"];
    for (const code of codes) {
        it(`${code} is a network failure: retried, described as unreachable`, () => {
            const error = Object.assign(new Error("x"), { code });
            assert.equal(isRetryable(error), true);
            assert.equal(describeFailure(error), "unreachable");
        });
    }

    it("other codes, and codes that are not strings, are not", () => {
        assert.equal(isRetryable(Object.assign(new Error("x"), { code: "EACCES" })), false);
        assert.equal(isRetryable(Object.assign(new Error("x"), { code: 111 })), false);
    });

    it("a connection or timeout error by name, in any case", () => {
        for (const name of ["APIConnectionError", "connectionrefused", "APIConnectionTimeoutError", "timeout"]) {
            const error = Object.assign(new Error("x"), { name });
            assert.equal(isRetryable(error), true, name);
            assert.equal(describeFailure(error), "unreachable", name);
        }
        assert.equal(isRetryable(Object.assign(new Error("x"), { name: "ValidationError" })), false);
    });

    it("a network failure by message, in any case", () => {
        for (const message of ["fetch failed", "Socket hang up", "Network is unreachable", "connect ECONNREFUSED 127.0.0.1:1", "read ECONNRESET", "request timed out", "Timeout", "timedout", "time out"]) {
            assert.equal(isRetryable(new Error(message)), true, message);
        }
        for (const message of ["socket closed by peer", "time's up", "ECONNABORTED"]) assert.equal(isRetryable(new Error(message)), false, message);
    });

    it("looks through up to four causes", () => {
        const refused = Object.assign(new Error("x"), { code: "ECONNREFUSED" });
        assert.equal(isRetryable(nested(refused, 4)), true);
        assert.equal(isRetryable(nested(refused, 5)), false);
        assert.equal(isRetryable(new Error("wrapper", { cause: "ECONNREFUSED" })), false, "a cause that is not an object");
        assert.equal(isRetryable(new Error("wrapper", { cause: null })), false);
    });
});

describe("retry-after hints (exact)", () => {
    it("retry-after-ms first, in milliseconds, when it is a number of zero or more", () => {
        assert.equal(retryAfterMs(withHeaders(new Headers({ "retry-after-ms": "1500", "retry-after": "9" }))), 1500);
        assert.equal(retryAfterMs(withHeaders(new Headers({ "retry-after-ms": "0" }))), 0);
        assert.equal(retryAfterMs(withHeaders(new Headers({ "retry-after-ms": "-5", "retry-after": "2" }))), 2000);
        assert.equal(retryAfterMs(withHeaders(new Headers({ "retry-after-ms": "soon", "retry-after": "3" }))), 3000);
        assert.equal(retryAfterMs(withHeaders(new Headers({ "retry-after-ms": "-5" }))), undefined);
    });

    it("retry-after in seconds, never negative, or as an HTTP date", () => {
        assert.equal(retryAfterMs(withHeaders({ "retry-after": "2" })), 2000);
        assert.equal(retryAfterMs(withHeaders({ "retry-after": "0.5" })), 500);
        assert.equal(retryAfterMs(withHeaders({ "retry-after": "-3" })), 0);
        const inAMinute = retryAfterMs(withHeaders({ "retry-after": new Date(Date.now() + 60_000).toUTCString() }));
        assert.ok(inAMinute !== undefined && inAMinute > 55_000 && inAMinute <= 60_000, String(inAMinute));
        assert.equal(retryAfterMs(withHeaders({ "retry-after": new Date(Date.now() - 60_000).toUTCString() })), 0);
        assert.equal(retryAfterMs(withHeaders({ "retry-after": "whenever" })), undefined);
    });

    it("headers as a Headers object or a record of strings, on the error or up to three causes deep", () => {
        assert.equal(retryAfterMs(withHeaders({ "retry-after": 2 })), undefined, "a value that is not a string");
        assert.equal(retryAfterMs(withHeaders(null)), undefined);
        assert.equal(retryAfterMs(nested(withHeaders({ "retry-after": "4" }), 3)), 4000);
        assert.equal(retryAfterMs(nested(withHeaders({ "retry-after": "4" }), 4)), undefined);
        assert.equal(retryAfterMs(new Error("outer", { cause: withHeaders(new Headers({ "retry-after": "5" })) })), 5000);
        assert.equal(retryAfterMs(null), undefined);
        assert.equal(retryAfterMs("retry-after: 5"), undefined);
    });

    it("Google's RetryInfo detail, in seconds", () => {
        const google = (details: unknown) => Object.assign(new Error("[429 Too Many Requests]"), { errorDetails: details });
        assert.equal(retryAfterMs(google([{ "@type": "type.googleapis.com/google.rpc.QuotaFailure" }, { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "12s" }])), 12_000);
        assert.equal(retryAfterMs(google([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1.5s" }])), 1500);
        assert.equal(retryAfterMs(google([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1.25s" }])), 1250);
        assert.equal(retryAfterMs(google([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "12" }])), undefined);
        assert.equal(retryAfterMs(google([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "x12s" }])), undefined);
        assert.equal(retryAfterMs(google([{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "12s later" }])), undefined);
        assert.equal(retryAfterMs(google([{ "@type": "type.googleapis.com/google.rpc.RetryInfo" }])), undefined);
        assert.equal(retryAfterMs(google([{ "@type": "type.googleapis.com/google.rpc.Help", retryDelay: "12s" }])), undefined);
        assert.equal(retryAfterMs(google([{ retryDelay: "12s" }])), undefined);
        assert.equal(retryAfterMs(google({ "@type": "RetryInfo", retryDelay: "12s" })), undefined, "details that are not a list");
    });
});

describe("quota that waiting will not fix (exact)", () => {
    const quota429 = (fields: object, message = "quota") => Object.assign(new Error(message), { status: 429 }, fields);

    it("insufficient_quota under any of the SDKs' fields, on a 429 only", () => {
        for (const fields of [{ code: "insufficient_quota" }, { type: "insufficient_quota" }, { error: { type: "insufficient_quota" } }, { error: { code: "insufficient_quota" } }, { error: { error: { type: "insufficient_quota" } } }]) {
            assert.equal(isPermanentQuota(quota429(fields)), true, JSON.stringify(fields));
        }
        assert.equal(isPermanentQuota(Object.assign(new Error("x"), { status: 403, code: "insufficient_quota" })), false);
        assert.equal(isPermanentQuota(quota429({ code: "rate_limit_exceeded" })), false);
    });

    it("or Anthropic's and OpenAI's wording of it, in any case", () => {
        for (const message of ["You exceeded your current quota (insufficient_quota)", "You have reached your specified API Usage Limits", "workspace Spend Limit reached", "Your credit balance is too low"]) {
            assert.equal(isPermanentQuota(withStatus(429, message)), true, message);
        }
        assert.equal(isPermanentQuota(withStatus(429, "Rate limit reached, retry in 2s")), false);
    });

    it("is never retried, described as exhausted quota", () => {
        const error = quota429({ code: "insufficient_quota" });
        assert.equal(isRetryable(error), false);
        assert.equal(describeFailure(error), "quota exhausted (HTTP 429)");
        assert.equal(isRetryable(withStatus(429, "Rate limit reached")), true);
    });
});

describe("the request's own input at fault (exact)", () => {
    it("InvalidInputError, serialization errors, content refusals", () => {
        assert.equal(isInputFault(new InvalidInputError("metadata too deep")), true);
        assert.equal(isInputFault(new RangeError("Invalid string length")), true);
        for (const message of ["Converting circular structure to JSON", "Do not know how to serialize a BigInt", "Unexpected token in JSON at position 0", "value cannot be serialized"]) {
            assert.equal(isInputFault(new TypeError(message)), true, message);
        }
        assert.equal(isInputFault(new TypeError("undefined is not a function")), false);
        for (const status of [400, 413, 422]) assert.equal(isInputFault(withStatus(status)), true, String(status));
        for (const status of [401, 404, 409, 429, 500]) assert.equal(isInputFault(withStatus(status)), false, String(status));
        assert.equal(isInputFault(new Error("no status")), false);
    });

    it("never a network failure, nor a value that is not an error object", () => {
        assert.equal(isInputFault(Object.assign(new RangeError("x"), { code: "ECONNRESET" })), false);
        assert.equal(isInputFault(Object.assign(new Error("socket hang up"), { status: 400 })), false);
        assert.equal(isInputFault(null), false);
        assert.equal(isInputFault("Converting circular structure to JSON"), false);
    });

    it("is never retried, even with a retryable look", () => {
        assert.equal(isRetryable(new InvalidInputError("bad")), false);
        assert.equal(isRetryable(new RangeError("Maximum call stack size exceeded")), false);
    });
});

describe("retries and policy outcomes (exact)", () => {
    it("our own breaker and bulkhead refusals are never retried", () => {
        for (const error of [new BrokenCircuitError(), new IsolatedCircuitError(), new BulkheadRejectedError(1, 1)]) {
            assert.equal(isPolicyRejection(error), true, error.name);
            assert.equal(isRetryable(error), false, error.name);
        }
        assert.equal(isPolicyRejection(new TaskCancelledError()), false);
        assert.equal(isPolicyRejection(new Error("breaker")), false);
    });

    it("timeouts and 408, 425, 429 and every 5xx are retried; other statuses are not", () => {
        assert.equal(isRetryable(new TaskCancelledError("timed out")), true);
        assert.equal(isRetryable(new TaskCancelledError("cancelled")), true);
        for (const status of [408, 425, 429, 500, 501, 502, 503, 504, 505, 529, 599]) assert.equal(isRetryable(withStatus(status, "x")), true, String(status));
        for (const status of [401, 403, 404, 409, 418, 424, 426, 428, 431, 499]) assert.equal(isRetryable(withStatus(status, "x")), false, String(status));
        assert.equal(isRetryable(withStatus(401, "connect ECONNREFUSED")), false, "a status is the provider's answer, whatever the message");
        assert.equal(isRetryable(new Error("model returned an empty answer")), false);
        assert.equal(isRetryable(undefined), false);
    });
});

describe("failure descriptions (exact)", () => {
    it("name what failed without internals", () => {
        assert.equal(describeFailure(new BrokenCircuitError()), "breaker open");
        assert.equal(describeFailure(new IsolatedCircuitError()), "breaker open");
        assert.equal(describeFailure(new TaskCancelledError("x")), "timeout");
        assert.equal(describeFailure(new TypeError("Cannot read properties of undefined (reading 'x')")), "TypeError");
        assert.equal(describeFailure(new Error("secret-host.internal:6333 said no")), "error");
        assert.equal(describeFailure("a string"), "error");
        assert.equal(describeFailure({ name: "LooksLikeAnError" }), "error");
    });
});

describe("the service's own HTTP errors (exact)", () => {
    it("carry their status, message, name and Retry-After", () => {
        const overloaded = new OverloadedError(3);
        assert.ok(overloaded instanceof HttpError);
        assert.deepEqual([overloaded.statusCode, overloaded.message, overloaded.name, overloaded.retryAfterSeconds], [429, "too many concurrent answers; retry later", "OverloadedError", 3]);
        assert.equal(new OverloadedError(1, "ingests").message, "too many concurrent ingests; retry later");
        const cause = new RangeError("deep");
        const invalid = new InvalidInputError("metadata nested too deep", { cause });
        assert.deepEqual([invalid.statusCode, invalid.message, invalid.name, invalid.retryAfterSeconds, invalid.cause], [400, "metadata nested too deep", "InvalidInputError", undefined, cause]);
        const none = new NoAnswerPathError(5);
        assert.deepEqual([none.statusCode, none.message, none.name, none.retryAfterSeconds], [503, "no answer path available: knowledge base and language models are unavailable", "NoAnswerPathError", 5]);
        const plain = new HttpError(404, "not found");
        assert.deepEqual([plain.statusCode, plain.message, plain.name, plain.retryAfterSeconds], [404, "not found", "HttpError", undefined]);
    });
});
