import type { FastifyInstance } from "fastify";
import { HttpError } from "../resilience/errors";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * JSON only, decoded strictly: `text/plain` and bodies without a content type are 415, a body
 * that is not valid UTF-8 is 400 (a lenient decoder would store U+FFFD in its place), and the
 * JSON itself goes through fastify's parser (prototype-poisoning guards included).
 */
export function strictJsonBodies(instance: FastifyInstance): void {
    instance.removeAllContentTypeParsers();
    const parseJson = instance.getDefaultJsonParser("error", "error");
    instance.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
        let text: string;
        try {
            text = UTF8.decode(body as Buffer);
        } catch {
            done(new HttpError(400, "the body is not valid UTF-8"), undefined);
            return;
        }
        parseJson(request, text, done);
    });
    instance.addHook("onRequest", async (request) => {
        const hasBody = request.headers["transfer-encoding"] !== undefined || Number(request.headers["content-length"] ?? 0) > 0;
        if (hasBody && request.headers["content-type"] === undefined) throw new HttpError(415, "a body needs Content-Type: application/json");
    });
}
