import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { FastifyInstance } from "fastify";

export const REQUEST_ID_HEADER = "x-request-id";

/** What a caller's X-Request-Id may be: short, printable, no spaces (it ends up in logs and headers). */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The caller's X-Request-Id when it is a valid one, else a new UUID: requests can be followed across services. */
export function requestIdFor(request: IncomingMessage): string {
    const given = request.headers[REQUEST_ID_HEADER];
    return typeof given === "string" && VALID_REQUEST_ID.test(given) ? given : randomUUID();
}

/** Every response names its request id, errors included. */
export function echoRequestId(instance: FastifyInstance): void {
    instance.addHook("onSend", async (request, reply) => {
        reply.header(REQUEST_ID_HEADER, request.id);
    });
}
