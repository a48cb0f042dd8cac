import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiKeyEntry, Scope } from "./keys";
import { TokenBucket } from "./token-bucket";

export type AuthDecision =
    | { ok: true; keyId: string }
    | { ok: false; status: 401 | 403 | 429; message: string; retryAfterSeconds?: number };

export interface AuthenticatorOptions {
    /** Keys of the `read`, `write` and `admin` scopes. */
    keys: ApiKeyEntry[];
    /** False: the `read` and `write` routes are open (loopback development, or explicitly disabled). */
    enabled: boolean;
    /** Per key id: sustained requests per second and burst. */
    ratePerSecond: number;
    burst: number;
    now?: () => number;
}

/**
 * Who may call a route. Keys are compared by their SHA-256 digests with timingSafeEqual, against
 * every entry without stopping at a match, so neither a key's content nor its position in the
 * list shows in the timing. Admin routes always need a key, even with authentication off.
 */
export class Authenticator {
    private readonly buckets = new Map<string, TokenBucket>();
    private readonly now: () => number;

    constructor(private readonly options: AuthenticatorOptions) {
        this.now = options.now ?? (() => performance.now());
    }

    get enabled(): boolean {
        return this.options.enabled;
    }

    /** Whether any key has `scope` (the admin routes are registered only when one has `admin`). */
    hasScope(scope: Scope): boolean {
        return this.options.keys.some((k) => k.scopes.includes(scope));
    }

    /** `presented`: the key from the request, if any. */
    authorize(scope: Scope, presented: string | undefined): AuthDecision | undefined {
        if (scope !== "admin" && !this.options.enabled) return undefined;
        if (presented === undefined) {
            return { ok: false, status: 401, message: `this route needs an API key with the ${scope} scope (Authorization: Bearer <key>)` };
        }
        const entry = this.identify(presented);
        if (entry === undefined) return { ok: false, status: 401, message: "the API key is not valid" };
        if (!entry.scopes.includes(scope)) return { ok: false, status: 403, message: `API key ${entry.id} does not have the ${scope} scope` };
        const wait = this.bucketOf(entry.id).take(this.now());
        if (wait > 0) {
            return { ok: false, status: 429, message: `API key ${entry.id} is over its rate limit of ${this.options.ratePerSecond} requests/s; retry later`, retryAfterSeconds: wait };
        }
        return { ok: true, keyId: entry.id };
    }

    private identify(presented: string): ApiKeyEntry | undefined {
        const digest = createHash("sha256").update(presented, "utf8").digest();
        let found: ApiKeyEntry | undefined;
        for (const entry of this.options.keys) {
            if (timingSafeEqual(digest, entry.digest) && found === undefined) found = entry;
        }
        return found;
    }

    private bucketOf(id: string): TokenBucket {
        let bucket = this.buckets.get(id);
        if (bucket === undefined) {
            bucket = new TokenBucket(this.options.ratePerSecond, this.options.burst, this.now());
            this.buckets.set(id, bucket);
        }
        return bucket;
    }
}
