import type { FastifyInstance } from "fastify";
import { HttpError } from "../resilience/errors";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * JSON only, decoded strictly: `text/plain` is 415 (as a body without a content type already
 * is in fastify), a body that is not valid UTF-8 is 400 (a lenient decoder would store U+FFFD
 * in its place), and the JSON itself goes through fastify's parser (prototype-poisoning guards).
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
}
