import type { FastifyPluginAsync } from "fastify";
import { PROBE_PATHS } from "../contract";
import type { Metrics } from "../metrics";

export const metricsRoute: FastifyPluginAsync<{ metrics: Metrics }> = async (app, { metrics }) => {
    app.get(
        PROBE_PATHS.metrics,
        { schema: { response: { 200: { type: "string" } } }, logLevel: "warn" },
        async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
};
