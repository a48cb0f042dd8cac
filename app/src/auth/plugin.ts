import type { FastifyInstance, FastifyRequest } from "fastify";
import { HttpError } from "../resilience/errors";
import type { Authenticator } from "./authenticator";
import type { Scope } from "./keys";

declare module "fastify" {
    interface FastifyContextConfig {
        /** The scope a route needs; routes without one are open (probes). */
        scope?: Scope;
    }
    interface FastifyRequest {
        /** The id of the API key that was accepted, for the request log. */
        apiKeyId?: string;
    }
}

/** The key a request presents: `Authorization: Bearer <key>`, or `X-API-Key: <key>`. */
export function presentedKey(request: FastifyRequest): string | undefined {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) return /^Bearer +(\S+)$/i.exec(authorization)?.[1] ?? "";
    const header = request.headers["x-api-key"];
    return typeof header === "string" ? header : undefined;
}

/**
 * Checks every request against its route's scope before its body is read: an unauthenticated
 * client cannot make the service parse, validate or store anything.
 */
export function requireScopes(instance: FastifyInstance, authenticator: Authenticator): void {
    instance.addHook("onRequest", async (request, reply) => {
        const scope = request.routeOptions.config.scope;
        if (scope === undefined) return;
        const decision = authenticator.authorize(scope, presentedKey(request));
        if (decision === undefined) return;
        if (decision.ok) {
            request.apiKeyId = decision.keyId;
            request.log.debug({ apiKey: decision.keyId }, "authenticated");
            return;
        }
        if (decision.status === 401) reply.header("www-authenticate", 'Bearer realm="langchain-ha"');
        throw new HttpError(decision.status, decision.message, decision.retryAfterSeconds);
    });
}
