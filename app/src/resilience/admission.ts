import type { onRequestHookHandler } from "fastify";
import { HttpError, OverloadedError } from "./errors";

/**
 * A concurrency limit with a bounded FIFO queue for one expensive route. Past both, the request
 * is refused at once (429 + Retry-After): queueing without bound only turns overload into
 * timeouts for everyone, and a short queue keeps the served requests' latency bounded.
 *
 * Not cockatiel's bulkhead: a slot here is held for the life of an HTTP response, not one
 * function call, and a waiter whose client has gone must leave the queue at once (cockatiel's
 * queue keeps an aborted waiter, and its slot, until its turn comes).
 */
export class AdmissionLimit {
    private active = 0;
    private readonly waiting: Array<() => void> = [];

    constructor(
        /** Plural noun for the 429 message: "questions", "ingests". */
        readonly what: string,
        private readonly capacity: number,
        private readonly queueSize: number,
        private readonly retryAfterSeconds: number,
        private readonly onShed: () => void = () => undefined,
        /** True while the process is too far behind to take more (event-loop lag): shed at once, slots or not. */
        private readonly saturated: () => boolean = () => false,
    ) {}

    get inFlight(): number {
        return this.active;
    }

    get queued(): number {
        return this.waiting.length;
    }

    /**
     * Resolves with the slot's release function (idempotent) once a slot is held; rejects at
     * once with OverloadedError when the slots and the queue are full, and with the signal's
     * reason when it aborts while waiting.
     */
    acquire(signal: AbortSignal): Promise<() => void> {
        if (signal.aborted) return Promise.reject(signal.reason);
        if (this.saturated()) {
            this.onShed();
            return Promise.reject(new OverloadedError(this.retryAfterSeconds, this.what));
        }
        if (this.active < this.capacity) {
            this.active++;
            return Promise.resolve(this.releaser());
        }
        if (this.waiting.length >= this.queueSize) {
            this.onShed();
            return Promise.reject(new OverloadedError(this.retryAfterSeconds, this.what));
        }
        return new Promise((resolve, reject) => {
            const admit = () => {
                signal.removeEventListener("abort", leave);
                this.active++;
                resolve(this.releaser());
            };
            const leave = () => {
                const index = this.waiting.indexOf(admit);
                if (index >= 0) this.waiting.splice(index, 1);
                reject(signal.reason);
            };
            signal.addEventListener("abort", leave, { once: true });
            this.waiting.push(admit);
        });
    }

    private releaser(): () => void {
        let released = false;
        return () => {
            if (released) return;
            released = true;
            this.active--;
            this.waiting.shift()?.();
        };
    }
}

/** The client left while its request waited for a slot; nobody reads the answer. */
class ClientGoneError extends HttpError {
    constructor() {
        super(499, "the client closed the connection while the request was queued");
        this.name = "ClientGoneError";
    }
}

/**
 * An onRequest hook: requests to a limited route ("POST /v1/ask") take a slot before their body
 * is even read, and hold it until their response is finished or their connection is gone.
 */
export function admissionHook(limits: ReadonlyMap<string, AdmissionLimit>): onRequestHookHandler {
    return async (request, reply) => {
        const limit = limits.get(`${request.method} ${request.routeOptions.url ?? ""}`);
        if (!limit) return;
        const gone = new AbortController();
        // "close" fires once the response is finished or the connection dropped, whichever first.
        reply.raw.once("close", () => gone.abort());
        let release: () => void;
        try {
            release = await limit.acquire(gone.signal);
        } catch (error) {
            throw gone.signal.aborted ? new ClientGoneError() : error;
        }
        if (gone.signal.aborted) release();
        else gone.signal.addEventListener("abort", release, { once: true });
    };
}
