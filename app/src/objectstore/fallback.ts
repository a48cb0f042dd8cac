import type { ObjectStore } from "./types";

/**
 * Reads from the first location and, when it fails, from its copies in order: the standby reads
 * the active cloud's journal directly and falls back to the copy in its own cloud. Writes go to
 * the first location only; a copy is never written by the reader.
 */
export class FallbackObjectStore implements ObjectStore {
    readonly url: string;

    constructor(private readonly locations: [ObjectStore, ...ObjectStore[]]) {
        this.url = locations.map((l) => l.url).join(" | ");
    }

    get primary(): ObjectStore {
        return this.locations[0];
    }

    putIfAbsent(key: string, body: Buffer, signal?: AbortSignal): Promise<"created" | "exists"> {
        return this.primary.putIfAbsent(key, body, signal);
    }

    put(key: string, body: Buffer, signal?: AbortSignal): Promise<void> {
        return this.primary.put(key, body, signal);
    }

    get(key: string, signal?: AbortSignal): Promise<Buffer | undefined> {
        return this.firstAnswer((l) => l.get(key, signal));
    }

    list(prefix: string, options?: { startAfter?: string; limit?: number; signal?: AbortSignal }): Promise<string[]> {
        return this.firstAnswer((l) => l.list(prefix, options));
    }

    listDirs(prefix: string, signal?: AbortSignal): Promise<string[]> {
        return this.firstAnswer((l) => l.listDirs(prefix, signal));
    }

    private async firstAnswer<T>(call: (location: ObjectStore) => Promise<T>): Promise<T> {
        const failures: unknown[] = [];
        for (const location of this.locations) {
            try {
                return await call(location);
            } catch (error) {
                failures.push(error);
            }
        }
        throw new AggregateError(failures, failures.map((f) => (f instanceof Error ? f.message : String(f))).join("; "));
    }
}
