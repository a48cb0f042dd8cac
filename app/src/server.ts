import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from "fastify";
import pino from "pino";
import { adminApp, app, type AppServices } from "./app";
import { ENV } from "./contract";
import { requestIdFor } from "./http/request-id";
import { loadConfig, type Config } from "./config";
import { drain } from "./lifecycle/shutdown";
import { checkModel } from "./llm/model-check";
import { createServices, type ServiceOptions, type Services } from "./services";
import { StoreOpenError } from "./vectorstore/embedded";

const FIRST_ROUND_WAIT_MS = 5_000;
/** The start-up model lookup: short, it only confirms an id. */
const MODEL_CHECK_MS = 5_000;

export interface RunningServer {
    /** Base URLs of the serving port(s): plain HTTP first, HTTPS second when TLS is configured. */
    urls: string[];
    /** Base URL of the admin port (/metrics, detailed /health). */
    adminUrl: string;
    services: Services;
    /** Graceful shutdown, as on SIGTERM; resolves true when every in-flight request finished in time. */
    shutdown(): Promise<boolean>;
}

/**
 * Node's slow-client limits, set where the server is created: the connection check runs every
 * `connectionsCheckingInterval`, so with Node's 30 s default a 30 s headers timeout fires only
 * after up to 60 s (65 s measured). Checked four times per timeout instead.
 */
export function clientTimeouts(timeoutMs: number) {
    return {
        headersTimeout: timeoutMs,
        requestTimeout: timeoutMs,
        connectionsCheckingInterval: Math.max(25, Math.min(1_000, Math.floor(timeoutMs / 4))),
    };
}

/** A URL a local client can use for a bound address (the wildcard addresses mean "this host"). */
export function urlFor(protocol: "http" | "https", bound: AddressInfo): string {
    const host = bound.address === "0.0.0.0" ? "127.0.0.1" : bound.address === "::" ? "[::1]" : bound.family === "IPv6" ? `[${bound.address}]` : bound.address;
    return `${protocol}://${host}:${bound.port}`;
}

interface Listener {
    name: "http" | "https" | "admin";
    port: number;
    plugin: FastifyPluginAsync<{ services: AppServices }>;
    tls?: { cert: Buffer; key: Buffer };
}

/** Builds the instances (serving HTTP, HTTPS when configured, admin), listens, and returns a handle; signals are wired by main() only. */
export async function startServer(config: Config, options: ServiceOptions & { logger?: pino.Logger } = {}): Promise<RunningServer> {
    const log = options.logger ?? pino({ level: config.logLevel });
    const services = await createServices(config, log, options);
    const timeouts = clientTimeouts(config.headersTimeoutMs);
    const listeners: Listener[] = [
        { name: "http", port: config.port, plugin: app },
        ...(config.https
            ? [{ name: "https" as const, port: config.https.port, plugin: app, tls: { cert: readFileSync(config.https.certFile), key: readFileSync(config.https.keyFile) } }]
            : []),
        { name: "admin", port: config.adminPort, plugin: adminApp },
    ];
    const servers: FastifyInstance[] = [];
    const bound: Record<string, string> = {};
    const urls: string[] = [];
    let adminUrl = "";
    for (const listener of listeners) {
        const tls = listener.tls;
        const server = fastify({
            loggerInstance: log as FastifyBaseLogger,
            bodyLimit: config.limits.bodyLimitBytes,
            requestTimeout: timeouts.requestTimeout,
            // The server is made here so that Node's header and request timeouts are exact (clientTimeouts).
            serverFactory: (handler) => (tls ? createHttpsServer({ ...tls, ...timeouts }, handler) : createHttpServer(timeouts, handler)) as Server,
            // Clients behind a load balancer reuse connections; close idle ones at shutdown, keep busy ones.
            forceCloseConnections: "idle" as const,
            // Requests that arrive while draining are answered (with Connection: close), never with
            // fastify's own 503 body, which is not the service's error shape.
            return503OnClosing: false,
            // The caller's X-Request-Id when valid, else a UUID; echoed on every response.
            requestIdHeader: false,
            genReqId: requestIdFor,
            // Strict bodies: fastify's defaults would turn 42 into "42" and silently drop unknown fields.
            ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
        });
        await server.register(listener.plugin, { services });
        await server.listen({ port: listener.port, host: config.host });
        const address = server.server.address() as AddressInfo;
        bound[listener.name] = `${address.family === "IPv6" ? `[${address.address}]` : address.address}:${address.port}`;
        if (listener.name === "admin") adminUrl = urlFor("http", address);
        else urls.push(urlFor(listener.name, address));
        servers.push(server);
    }
    if (!config.auth.enabled) {
        log.warn(
            config.auth.offReason === "disabled"
                ? `authentication is off (${ENV.authDisabled}=true): anyone who reaches ${config.host} can read and write`
                : `authentication is off: listening on ${config.host} only; set ${ENV.apiKeys} to listen on another address`,
        );
    }
    // The first replication round settles the role before writes are taken; a slow one (a standby
    // loading a large snapshot set) goes on in the background and /health says so meanwhile.
    await Promise.race([services.replication.start(), new Promise((resolve) => setTimeout(resolve, FIRST_ROUND_WAIT_MS).unref())]);
    services.lifecycle.started = true;
    const { role, epoch } = services.replication.status();
    log.info({ bound, urls, adminUrl, auth: config.auth.enabled, region: config.region, store: config.qdrant ? "qdrant" : "embedded", role, epoch }, "serving");
    return {
        urls,
        adminUrl,
        services,
        shutdown: () => drain(servers, services.lifecycle, services.close, config.shutdownDrainMs, log),
    };
}

async function main(): Promise<void> {
    const result = loadConfig(process.env);
    if (!result.ok) {
        for (const line of result.errors) process.stderr.write(`config error: ${line}\n`);
        process.exit(2);
    }
    const log = pino({ level: result.config.logLevel });
    const llms = [result.config.llm.primary, result.config.llm.secondary].filter((l) => l !== undefined);
    const checkMs = Math.min(result.config.resilience.llmTimeoutMs, MODEL_CHECK_MS);
    const embeddings = result.config.embeddings;
    const checks = await Promise.all([
        ...llms.map((llm) => checkModel(llm, checkMs)),
        ...(embeddings ? [checkModel(embeddings, checkMs, ENV.embeddingsModel)] : []),
    ]);
    for (const check of checks) {
        if (check.ok) continue;
        if (check.fatal) {
            process.stderr.write(`config error: ${check.line}\n`);
            process.exit(2);
        }
        log.warn(check.line);
    }
    // Handlers go in before the server starts: a signal right after the "serving" line must
    // drain, not kill the process with the default action.
    let running: Promise<RunningServer> | undefined;
    let stopping = false;
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.on(signal, () => {
            if (stopping) return;
            stopping = true;
            if (!running) process.exit(0);
            void running.then((r) => r.shutdown()).then((clean) => process.exit(clean ? 0 : 1));
        });
    }
    running = startServer(result.config, { logger: log });
    await running;
}

if (require.main === module) {
    main().catch((error: unknown) => {
        process.stderr.write(`fatal: ${error instanceof Error ? error.message : String(error)}\n`);
        // A store file that cannot be used is the operator's to fix, like bad config: exit 2.
        process.exit(error instanceof StoreOpenError ? error.exitCode : 1);
    });
}
