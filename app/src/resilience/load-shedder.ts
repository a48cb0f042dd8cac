import { bulkhead, BulkheadRejectedError } from "cockatiel";
import { OverloadedError } from "./errors";

/**
 * Caps concurrent LLM work with a short, bounded queue. When both are full the caller gets a
 * 429 at once: queueing without bound only turns overload into timeouts for everyone.
 */
export class LoadShedder {
    private readonly policy;

    constructor(
        capacity: number,
        queueSize: number,
        private readonly retryAfterSeconds: number,
        private readonly onReject: () => void = () => undefined,
    ) {
        this.policy = bulkhead(capacity, queueSize);
    }

    async run<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
        try {
            return await this.policy.execute(fn, signal);
        } catch (error) {
            if (error instanceof BulkheadRejectedError) {
                this.onReject();
                throw new OverloadedError(this.retryAfterSeconds);
            }
            throw error;
        }
    }
}
