/**
 * The little object storage the change journal and snapshot sets need: create-once writes,
 * whole-object reads and ordered listings. Keys are relative to the location's prefix and use
 * "/" as the separator; listings are in lexicographic key order on every backend.
 */
export interface ObjectStore {
    /** The location as configured (file://, s3://, gs://), for logs and status. */
    readonly url: string;
    /** Creates `key` only if it does not exist yet: "exists" when another writer was first. */
    putIfAbsent(key: string, body: Buffer, signal?: AbortSignal): Promise<"created" | "exists">;
    /** Creates or replaces `key`. */
    put(key: string, body: Buffer, signal?: AbortSignal): Promise<void>;
    /** The object's bytes, or undefined when there is no such key. */
    get(key: string, signal?: AbortSignal): Promise<Buffer | undefined>;
    /** Every key under `prefix` that sorts after `startAfter`, in order, up to `limit` keys. */
    list(prefix: string, options?: { startAfter?: string; limit?: number; signal?: AbortSignal }): Promise<string[]>;
    /** The "directories" directly under `prefix` (names ending in "/"), in order. */
    listDirs(prefix: string, signal?: AbortSignal): Promise<string[]>;
}

/** A backend call failed (unreachable, denied, throttled); the message names the location. */
export class ObjectStoreError extends Error {
    constructor(url: string, operation: string, options: ErrorOptions) {
        const cause = options.cause instanceof Error ? options.cause.message : String(options.cause);
        super(`${operation} on ${url} failed: ${cause}`, options);
        this.name = "ObjectStoreError";
    }
}

/** Runs a backend call, turning whatever it throws into an ObjectStoreError naming the location. */
export async function describedAs<T>(url: string, operation: string, call: () => Promise<T>): Promise<T> {
    try {
        return await call();
    } catch (error) {
        throw new ObjectStoreError(url, operation, { cause: error });
    }
}

/** "prefix/" joined with a relative key, with no doubled or leading separator. */
export function joinKey(prefix: string, key: string): string {
    const base = prefix.replace(/^\/+|\/+$/g, "");
    return base === "" ? key : `${base}/${key}`;
}
