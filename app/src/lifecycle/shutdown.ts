import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Lifecycle } from "./state";

/**
 * Drain, in order: fail readiness (the load balancer stops sending), stop accepting and let
 * in-flight requests finish (fastify answers 503 to new requests on kept-alive connections),
 * then release the stores. Past `drainMs`, the remaining connections are cut so that the pod
 * still exits inside its termination grace period. Resolves true when the drain was clean.
 */
export async function drain(
    servers: FastifyInstance[],
    lifecycle: Lifecycle,
    closeServices: () => Promise<void>,
    drainMs: number,
    log: FastifyBaseLogger,
): Promise<boolean> {
    lifecycle.draining = true;
    log.info({ drainMs }, "draining: readiness fails, no new connections, in-flight requests finish");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), drainMs);
    });
    const closed = Promise.all(servers.map((s) => s.close())).then(() => true as const);
    const clean = await Promise.race([closed, timedOut]);
    clearTimeout(timer);
    if (!clean) {
        log.error({ drainMs }, "drain timeout reached; closing the remaining connections");
        for (const s of servers) s.server.closeAllConnections();
    }
    await closeServices();
    log.info({ clean }, "drained");
    return clean;
}
