import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { Lifecycle } from "./state";

/** The longest the listeners stay open after SIGTERM so that kept-alive clients learn to close. */
export const KEEPALIVE_GRACE_MS = 1_000;

/**
 * Drain, in order: fail readiness (the load balancer stops sending) and answer every request
 * with Connection: close for a short grace, so that a client sending on a kept-alive socket
 * right after SIGTERM gets an answer instead of a reset (closing the listener closes idle
 * sockets at once, racing such a request); then stop accepting and let in-flight requests
 * finish, then release the stores. Past `drainMs`, the remaining connections are cut so that the pod
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
    log.info({ drainMs }, "draining: readiness fails, connections close after their next response, in-flight requests finish");
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), drainMs);
    });
    await new Promise((resolve) => setTimeout(resolve, Math.min(KEEPALIVE_GRACE_MS, Math.floor(drainMs / 2))));
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
