/**
 * A token bucket: `burst` requests at once, refilled at `ratePerSecond`. Time comes from the
 * caller, so the arithmetic is testable without waiting.
 */
export class TokenBucket {
    private tokens: number;
    private updatedAt: number;

    constructor(
        private readonly ratePerSecond: number,
        private readonly burst: number,
        now: number,
    ) {
        this.tokens = burst;
        this.updatedAt = now;
    }

    /** Takes one token: 0 when granted, else the whole seconds until one is available (at least 1). */
    take(now: number): number {
        this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
        this.updatedAt = now;
        if (this.tokens >= 1) {
            this.tokens -= 1;
            return 0;
        }
        return Math.max(1, Math.ceil((1 - this.tokens) / this.ratePerSecond));
    }
}
