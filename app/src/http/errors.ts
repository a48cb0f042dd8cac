import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../resilience/errors";

/** The one error body of the service, on every port and every path: `{error, message, requestId}`. */
export interface ErrorBody {
    error: string;
    message: string;
    requestId: string;
}

export function errorBody(statusCode: number, message: string, requestId: string): ErrorBody {
    return { error: STATUS_CODES[statusCode] ?? "Error", message, requestId };
}

/**
 * The status an error may set: our own HttpErrors and fastify's (validation, body parsing).
 * Anything else is a 500, even if it carries a statusCode: an SDK's 401 from a provider is
 * our failure, not the client's.
 */
function statusFor(error: FastifyError | HttpError): number {
    const trusted = error instanceof HttpError || error.validation !== undefined || /^FST_/.test(String(error.code));
    return trusted && error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
}

/** Fastify's own messages, where they say less than the client needs. */
function clientMessage(error: FastifyError | HttpError, statusCode: number): string {
    if (!(error instanceof HttpError) && error.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return "bodies must be application/json";
    if (!(error instanceof HttpError) && error.code === "FST_ERR_CTP_BODY_TOO_LARGE") return "the body is too large (the limit is BODY_LIMIT_BYTES)";
    // 5xx internals stay in the log; only our own HttpErrors carry a message meant for clients.
    return statusCode < 500 || error instanceof HttpError ? error.message : "internal error";
}

/** Methods each path answers to, collected as routes are added: what 405's Allow header lists. */
function methodsByPath(instance: FastifyInstance): Map<string, Set<string>> {
    const methods = new Map<string, Set<string>>();
    instance.addHook("onRoute", (route) => {
        const set = methods.get(route.url) ?? new Set<string>();
        for (const method of [route.method].flat()) set.add(method);
        methods.set(route.url, set);
    });
    return methods;
}

/**
 * One error handler and one not-found handler for an instance: every error path answers with
 * ErrorBody, 405 + Allow for a known path with another method. Call before routes are added.
 */
export function uniformErrors(instance: FastifyInstance): void {
    const methods = methodsByPath(instance);

    instance.setErrorHandler<FastifyError | HttpError>((error, request, reply) => {
        const statusCode = statusFor(error);
        if (error instanceof HttpError && error.retryAfterSeconds !== undefined) {
            reply.header("retry-after", String(error.retryAfterSeconds));
        }
        if (statusCode >= 500 && !(error instanceof HttpError)) {
            request.log.error({ err: error }, "request failed");
        } else if (statusCode >= 500) {
            request.log.warn({ err: error }, "request refused: a dependency is unavailable");
        } else {
            request.log.info({ err: { message: error.message, code: "code" in error ? error.code : undefined } }, "request rejected");
        }
        return reply.code(statusCode).send(errorBody(statusCode, clientMessage(error, statusCode), request.id));
    });

    instance.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
        const path = request.url.split("?")[0];
        const allowed = methods.get(path);
        if (allowed !== undefined) {
            const allow = [...allowed].sort().join(", ");
            return reply.code(405).header("allow", allow).send(errorBody(405, `${path} answers ${allow}, not ${request.method}`, request.id));
        }
        return reply.code(404).send(errorBody(404, `no route ${request.method} ${path}`, request.id));
    });
}
