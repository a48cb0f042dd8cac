import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import pino from "pino";
import { app } from "./app";
import { loadConfig, type Config } from "./config";
import { drain } from "./lifecycle/shutdown";
import { ENV } from "./contract";
import { checkModel } from "./llm/model-check";
import { createServices, type ServiceOptions, type Services } from "./services";
import { StoreOpenError } from "./vectorstore/embedded";

const FIRST_ROUND_WAIT_MS = 5_000;
/** The start-up model lookup: short, it only confirms an id. */
const MODEL_CHECK_MS = 5_000;

export interface RunningServer {
    /** Base URLs: plain HTTP first, HTTPS second when TLS is configured. */
    urls: string[];
    services: Services;
    /** Graceful shutdown, as on SIGTERM; resolves true when every in-flight request finished in time. */
    shutdown(): Promise<boolean>;
}

/** Builds the instance(s), listens, and returns a handle; signals are wired by main() only. */
export async function startServer(config: Config, options: ServiceOptions & { logger?: pino.Logger } = {}): Promise<RunningServer> {
    const log = options.logger ?? pino({ level: config.logLevel });
    const services = await createServices(config, log, options);
    const common = {
        loggerInstance: log as FastifyBaseLogger,
        bodyLimit: config.limits.bodyLimitBytes,
        // A client that trickles its request body must not hold a socket for Node's default 5 minutes.
        requestTimeout: 30_000,
        // Clients behind a load balancer reuse connections; close idle ones at shutdown, keep busy ones.
        forceCloseConnections: "idle" as const,
        // Strict bodies: fastify's defaults would turn 42 into "42" and silently drop unknown fields.
        ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    };
    const servers: FastifyInstance[] = [fastify(common)];
    if (config.https) {
        const https = { cert: readFileSync(config.https.certFile), key: readFileSync(config.https.keyFile) };
        servers.push(fastify({ ...common, https }) as unknown as FastifyInstance); // the HTTPS instance's server type differs only in its TLS socket
    }
    const ports = [config.port, config.https?.port ?? 0];
    const urls: string[] = [];
    for (const [i, server] of servers.entries()) {
        await server.register(app, { services });
        await server.listen({ port: ports[i], host: "0.0.0.0" });
        const { port } = server.server.address() as AddressInfo;
        urls.push(`${i === 0 ? "http" : "https"}://127.0.0.1:${port}`);
    }
    // The first replication round settles the role before writes are taken; a slow one (a standby
    // loading a large snapshot set) goes on in the background and /health says so meanwhile.
    await Promise.race([services.replication.start(), new Promise((resolve) => setTimeout(resolve, FIRST_ROUND_WAIT_MS).unref())]);
    services.lifecycle.started = true;
    const { role, epoch } = services.replication.status();
    log.info({ urls, region: config.region, store: config.qdrant ? "qdrant" : "embedded", role, epoch }, "serving");
    return {
        urls,
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
