import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyPluginAsync, onRequestHookHandler } from "fastify";
import type { AnswerService } from "./answer/service";
import type { HealthService } from "./health/service";
import type { IngestService } from "./ingest/service";
import type { Lifecycle } from "./lifecycle/state";
import type { Metrics } from "./metrics";
import type { ReplicationService } from "./replication/service";
import { HttpError } from "./resilience/errors";
import { askRoute } from "./routes/ask";
import { documentsRoute } from "./routes/documents";
import { metricsRoute } from "./routes/metrics";
import { probeRoutes } from "./routes/probes";
import { adminRoutes } from "./routes/admin";
import { replicationRoute } from "./routes/replication";

/** What the routes need; built once per process by createServices and shared by the HTTP and HTTPS listeners. */
export interface AppServices {
    metrics: Metrics;
    answers: AnswerService;
    ingest: IngestService;
    health: HealthService;
    lifecycle: Lifecycle;
    maxDocumentsPerRequest: number;
    replication: ReplicationService;
    /** Absent: the admin routes are not registered. */
    adminToken?: string;
    /** Load shedding of the expensive routes, before their bodies are read (resilience/admission.ts). */
    admission: onRequestHookHandler;
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

/** The service as a fastify plugin: cross-cutting hooks, one error handler, then the routes. */
export const app: FastifyPluginAsync<{ services: AppServices }> = async (instance, { services }) => {
    const { metrics } = services;

    instance.addHook("onResponse", async (request, reply) => {
        const labels = { method: request.method, route: request.routeOptions.url ?? "unmatched" };
        const status = String(reply.statusCode);
        metrics.httpRequests.inc({ ...labels, status });
        if (reply.statusCode >= 400) metrics.httpErrors.inc({ ...labels, status });
        metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    });

    // While draining, each finished response closes its connection: a kept-alive socket would
    // otherwise hold the server open until the drain timeout.
    instance.addHook("onSend", async (_request, reply) => {
        if (services.lifecycle.draining) reply.header("connection", "close");
    });

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
        // 5xx internals stay in the log; only our own HttpErrors carry a message meant for clients.
        const message = statusCode < 500 || error instanceof HttpError ? error.message : "internal error";
        return reply.code(statusCode).send({ error: STATUS_CODES[statusCode] ?? "Error", message, requestId: request.id });
    });

    instance.setNotFoundHandler((request, reply) =>
        reply.code(404).send({ error: "Not Found", message: `no route ${request.method} ${request.url}`, requestId: request.id }),
    );

    instance.addHook("onRequest", services.admission);

    await instance.register(probeRoutes, { health: services.health });
    await instance.register(metricsRoute, { metrics });
    await instance.register(documentsRoute, { ingest: services.ingest, maxDocuments: services.maxDocumentsPerRequest });
    await instance.register(askRoute, { answers: services.answers });
    await instance.register(replicationRoute, { replication: services.replication });
    if (services.adminToken) await instance.register(adminRoutes, { replication: services.replication, token: services.adminToken });
};
