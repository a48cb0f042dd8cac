import type { FastifyPluginAsync } from "fastify";
import { PROBE_PATHS } from "../contract";
import type { ReplicationService } from "../replication/service";

const position = { type: ["object", "null"], required: ["epoch", "seq"], properties: { epoch: { type: "integer" }, seq: { type: "integer" } } } as const;

export const replicationStatusSchema = {
    type: "object",
    required: ["role", "epoch", "fenced", "position", "head", "lagSeconds", "lastAppliedAt", "caughtUp", "fitForFailover", "reason", "applier", "diverged", "journal"],
    properties: {
        role: { type: "string" },
        epoch: { type: "integer" },
        fenced: { type: "boolean" },
        position,
        head: position,
        lagSeconds: { type: ["number", "null"] },
        lastAppliedAt: { type: ["string", "null"] },
        caughtUp: { type: "boolean" },
        fitForFailover: { type: "boolean" },
        reason: { type: "string" },
        applier: { type: "boolean" },
        diverged: { type: "integer" },
        journal: { type: "object", properties: { url: { type: "string" }, peers: { type: "array", items: { type: "string" } } } },
    },
} as const;

/** Read-only replication state for operators and the runbook; no I/O, answered from memory. */
export const replicationRoute: FastifyPluginAsync<{ replication: ReplicationService }> = async (app, { replication }) => {
    app.get(PROBE_PATHS.replication, { schema: { response: { 200: replicationStatusSchema } }, logLevel: "warn" }, async (_request, reply) =>
        reply.header("cache-control", "no-store").send(replication.status()),
    );
};
