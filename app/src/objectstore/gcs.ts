import { ApiError, Storage } from "@google-cloud/storage";
import { describedAs, joinKey, type ObjectStore } from "./types";

export interface GcsLocation {
    bucket: string;
    prefix: string;
    /** Only for stand-ins; real GCS takes the library's default endpoint and credentials. */
    apiEndpoint?: string;
}

/**
 * Google Cloud Storage through @google-cloud/storage. Credentials come from Application Default
 * Credentials (Workload Identity on GKE, a workload identity federation config elsewhere).
 * Create-once writes use `ifGenerationMatch: 0` (412 when the object exists).
 */
export class GcsObjectStore implements ObjectStore {
    private readonly storage: Storage;

    constructor(
        readonly url: string,
        private readonly location: GcsLocation,
    ) {
        // Our callers retry with their own policies.
        this.storage = new Storage({ ...(location.apiEndpoint ? { apiEndpoint: location.apiEndpoint } : {}), retryOptions: { maxRetries: 0 } });
    }

    putIfAbsent(key: string, body: Buffer): Promise<"created" | "exists"> {
        return describedAs(this.url, `create ${key}`, async () => {
            try {
                await this.file(key).save(body, { resumable: false, validation: false, preconditionOpts: { ifGenerationMatch: 0 } });
                return "created";
            } catch (error) {
                if (error instanceof ApiError && error.code === 412) return "exists";
                throw error;
            }
        });
    }

    put(key: string, body: Buffer): Promise<void> {
        return describedAs(this.url, `write ${key}`, () => this.file(key).save(body, { resumable: false, validation: false }));
    }

    get(key: string): Promise<Buffer | undefined> {
        return describedAs(this.url, `read ${key}`, async () => {
            try {
                const [content] = await this.file(key).download({ validation: false });
                return content;
            } catch (error) {
                if (error instanceof ApiError && error.code === 404) return undefined;
                throw error;
            }
        });
    }

    list(prefix: string, options: { startAfter?: string; limit?: number } = {}): Promise<string[]> {
        return describedAs(this.url, `list ${prefix}`, async () => {
            const [files] = await this.storage.bucket(this.location.bucket).getFiles({
                prefix: this.key(prefix),
                // startOffset is inclusive; the key equal to startAfter is dropped below.
                startOffset: options.startAfter === undefined ? undefined : this.key(options.startAfter),
                autoPaginate: true,
                maxResults: options.limit === undefined ? undefined : options.limit + 1,
            });
            const keys = files.map((f) => this.relative(f.name)).filter((k) => options.startAfter === undefined || k > options.startAfter);
            return options.limit === undefined ? keys : keys.slice(0, options.limit);
        });
    }

    listDirs(prefix: string): Promise<string[]> {
        return describedAs(this.url, `list ${prefix}`, async () => {
            const [, , response] = await this.storage
                .bucket(this.location.bucket)
                .getFiles({ prefix: this.key(prefix), delimiter: "/", autoPaginate: false });
            const prefixes = (response as { prefixes?: string[] } | undefined)?.prefixes ?? [];
            return prefixes.map((p) => this.relative(p)).sort();
        });
    }

    private file(key: string) {
        return this.storage.bucket(this.location.bucket).file(this.key(key));
    }

    private key(relative: string): string {
        return joinKey(this.location.prefix, relative);
    }

    private relative(full: string): string {
        const base = joinKey(this.location.prefix, "");
        return full.startsWith(base) ? full.slice(base.length) : full;
    }
}
