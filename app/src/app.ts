import type { FastifyInstance, FastifyPluginAsync, onRequestHookHandler } from "fastify";
import type { AnswerService } from "./answer/service";
import type { Authenticator } from "./auth/authenticator";
import { requireScopes } from "./auth/plugin";
import type { HealthService } from "./health/service";
import { strictJsonBodies } from "./http/bodies";
import { uniformErrors } from "./http/errors";
import { echoRequestId } from "./http/request-id";
import type { IngestService } from "./ingest/service";
import type { Lifecycle } from "./lifecycle/state";
import type { Metrics } from "./metrics";
import type { ReplicationService } from "./replication/service";
import { askRoute } from "./routes/ask";
import { documentsRoute } from "./routes/documents";
import { metricsRoute } from "./routes/metrics";
import { detailedHealthRoute, probeRoutes } from "./routes/probes";
import { adminRoutes } from "./routes/admin";
import { replicationRoute } from "./routes/replication";

/** What the routes need; built once per process by createServices and shared by every listener. */
export interface AppServices {
    metrics: Metrics;
    answers: AnswerService;
    ingest: IngestService;
    health: HealthService;
    lifecycle: Lifecycle;
    maxDocumentsPerRequest: number;
    replication: ReplicationService;
    /** API keys (and ADMIN_TOKEN, as an admin-scope key): who may call which route. */
    authenticator: Authenticator;
    /** Load shedding of the expensive routes, before their bodies are read (resilience/admission.ts). */
    admission: onRequestHookHandler;
}

/** What both ports share: request metrics, request ids, Connection: close while draining, uniform errors. */
function common(instance: FastifyInstance, services: AppServices): void {
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
    echoRequestId(instance);
    uniformErrors(instance);
    strictJsonBodies(instance);
}

/**
 * The serving port, behind the load balancers: the API (each route with its scope), the
 * probes, the one-word /health, replication status and the runbook's admin routes.
 */
export const app: FastifyPluginAsync<{ services: AppServices }> = async (instance, { services }) => {
    requireScopes(instance, services.authenticator);
    common(instance, services);

    instance.addHook("onRequest", services.admission);

    await instance.register(probeRoutes, { health: services.health, lifecycle: services.lifecycle });
    await instance.register(documentsRoute, { ingest: services.ingest, maxDocuments: services.maxDocumentsPerRequest });
    await instance.register(askRoute, { answers: services.answers });
    await instance.register(replicationRoute, { replication: services.replication });
    if (services.authenticator.hasScope("admin")) await instance.register(adminRoutes, { replication: services.replication });
};

/** The admin port, reachable only from inside the cluster: /metrics and the detailed /health. */
export const adminApp: FastifyPluginAsync<{ services: AppServices }> = async (instance, { services }) => {
    common(instance, services);
    await instance.register(metricsRoute, { metrics: services.metrics });
    await instance.register(detailedHealthRoute, { health: services.health });
};
