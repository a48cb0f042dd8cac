import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { PROBE_PATHS } from "../contract";
import type { HealthService, RegionHealth } from "../health/service";
import type { Lifecycle } from "../lifecycle/state";

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

/** The public /health: healthy or not, and why in one word; no versions, peers or breaker states. */
const publicHealthBody = {
    type: "object",
    required: ["status", "reason"],
    properties: { status: { type: "string", enum: ["ok", "degraded", "down"] }, reason: { type: "string", pattern: "^[a-z]+$" } },
} as const;

/**
 * Why, in one word: `ok`, `draining`, or the first component that is not ok (`vectorstore`,
 * `replication`, `llm`, ...), the failing ones before the degraded ones.
 */
export function healthReason(report: RegionHealth, draining: boolean): string {
    if (draining) return "draining";
    const components = Object.entries(report.components);
    const worst = components.find(([, c]) => c.status === "down") ?? components.find(([, c]) => c.status !== "ok");
    if (worst === undefined) return report.status === "ok" ? "ok" : report.status;
    const word = /^[a-z]+/.exec(worst[0].toLowerCase())?.[0];
    return word ?? "unknown";
}

/** The probes of the serving port; their semantics are documented on HealthService. */
export const probeRoutes: FastifyPluginAsync<{ health: HealthService; lifecycle: Lifecycle }> = async (app, { health, lifecycle }) => {
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

    // What Route53 probes: the status code decides; the body says only why.
    regionHealthRoute(app, health, publicHealthBody, (report) => ({ status: report.status, reason: healthReason(report, lifecycle.draining) }));
};

/** The detailed region health (components, breakers, latencies), on the admin port only. */
export const detailedHealthRoute: FastifyPluginAsync<{ health: HealthService }> = async (app, { health }) => {
    regionHealthRoute(app, health, healthBody, (report) => report);
};

/** GET /health: 503 when the region is down, else 200; never cached; the body as `render` shapes it. */
function regionHealthRoute(app: FastifyInstance, health: HealthService, body: object, render: (report: RegionHealth) => object): void {
    app.get(PROBE_PATHS.health, { schema: { response: { 200: body, 503: body } }, logLevel: "warn" }, async (_request, reply) => {
        const report = await health.regionHealth();
        return reply
            .code(report.status === "down" ? 503 : 200)
            .header("cache-control", "no-store")
            .send(render(report));
    });
}
