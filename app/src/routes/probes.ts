import type { FastifyPluginAsync } from "fastify";
import { PROBE_PATHS } from "../contract";
import type { HealthService } from "../health/service";

const statusBody = {
    type: "object",
    required: ["status"],
    properties: { status: { type: "string" }, reason: { type: "string" } },
} as const;

const component = {
    type: "object",
    required: ["status", "latencyMs", "detail"],
    properties: {
        status: { type: "string" },
        latencyMs: { type: ["number", "null"] },
        detail: { type: "string" },
        breaker: { type: "string" },
    },
} as const;

const healthBody = {
    type: "object",
    required: ["status", "region", "answerPaths", "components"],
    properties: {
        status: { type: "string" },
        region: { type: "string" },
        answerPaths: { type: "array", items: { type: "string" } },
        components: { type: "object", additionalProperties: component },
    },
} as const;

/** The three probes; their semantics are documented on HealthService. */
export const probeRoutes: FastifyPluginAsync<{ health: HealthService }> = async (app, { health }) => {
    // Liveness does no I/O and consults nothing: only a wedged process should fail it.
    app.get(PROBE_PATHS.livez, { schema: { response: { 200: statusBody } }, logLevel: "warn" }, async () => ({ status: "ok" }));

    app.get(
        PROBE_PATHS.readyz,
        { schema: { response: { 200: statusBody, 503: statusBody } }, logLevel: "warn" },
        async (_request, reply) => {
            const { ready, reason } = health.readiness();
            return reply.code(ready ? 200 : 503).send({ status: ready ? "ok" : "unavailable", reason });
        },
    );

    app.get(
        PROBE_PATHS.health,
        { schema: { response: { 200: healthBody, 503: healthBody } }, logLevel: "warn" },
        async (_request, reply) => {
            const report = await health.regionHealth();
            return reply
                .code(report.status === "down" ? 503 : 200)
                .header("cache-control", "no-store")
                .send(report);
        },
    );
};
