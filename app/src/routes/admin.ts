import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import type { ReplicationService } from "../replication/service";
import { HttpError } from "../resilience/errors";
import { errorResponses } from "./schemas";

export interface AdminRouteOptions {
    replication: ReplicationService;
    token: string;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Compares digests, so neither the length nor the content of the token leaks through timing. */
function authorize(request: FastifyRequest, expected: Buffer): void {
    const header = request.headers.authorization ?? "";
    const match = /^Bearer (.+)$/.exec(header);
    if (!match) throw new HttpError(401, "admin routes need Authorization: Bearer <ADMIN_TOKEN>");
    if (!timingSafeEqual(digest(match[1]), expected)) throw new HttpError(403, "the admin token is not valid");
}

/** Operator actions the DR runbook calls: promote this side, take a snapshot set now. */
export const adminRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { replication, token }) => {
    const expected = digest(token);
    app.addHook("onRequest", async (request) => authorize(request, expected));

    app.post<{ Body: { mode: "planned" | "unplanned" } }>(
        "/admin/v1/promote",
        {
            schema: {
                body: {
                    type: "object",
                    additionalProperties: false,
                    required: ["mode"],
                    properties: { mode: { type: "string", enum: ["planned", "unplanned"] } },
                },
                response: errorResponses,
            },
        },
        async (request) => replication.promote(request.body.mode),
    );

    app.post("/admin/v1/snapshots", { schema: { response: errorResponses } }, async () => replication.snapshot());
};
