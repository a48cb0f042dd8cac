import type { FastifyPluginAsync } from "fastify";
import type { ReplicationService } from "../replication/service";
import { errorResponses } from "./schemas";

export interface AdminRouteOptions {
    replication: ReplicationService;
}

/**
 * Operator actions the DR runbook calls: promote this side, take a snapshot set now. They need
 * the admin scope: ADMIN_TOKEN (what the runbook and the snapshot job send) or an admin API key.
 */
export const adminRoutes: FastifyPluginAsync<AdminRouteOptions> = async (app, { replication }) => {
    app.post<{ Body: { mode: "planned" | "unplanned" } }>(
        "/admin/v1/promote",
        {
            config: { scope: "admin" },
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

    app.post("/admin/v1/snapshots", { config: { scope: "admin" }, schema: { response: errorResponses } }, async () => replication.snapshot());
};
