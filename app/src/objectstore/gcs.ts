import { ApiError, IdempotencyStrategy, Storage, type GetFilesOptions } from "@google-cloud/storage";
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
        // Our callers retry with their own policies. `maxRetries: 0` would not do: the library
        // reads a falsy count as "unset" and retries 3 times with backoff (10 s on a failed write).
        this.storage = new Storage({
            ...(location.apiEndpoint ? { apiEndpoint: location.apiEndpoint } : {}),
            retryOptions: { autoRetry: false, idempotencyStrategy: IdempotencyStrategy.RetryNever },
        });
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
            const keys: string[] = [];
            // startOffset is inclusive; the key equal to startAfter is dropped below.
            const query: GetFilesOptions = {
                prefix: this.key(prefix),
                startOffset: options.startAfter === undefined ? undefined : this.key(options.startAfter),
            };
            for await (const page of this.pages(query, () => (options.limit === undefined ? undefined : options.limit - keys.length + 1))) {
                for (const name of page.names) {
                    const key = this.relative(name);
                    if (options.startAfter === undefined || key > options.startAfter) keys.push(key);
                }
                if (options.limit !== undefined && keys.length >= options.limit) return keys.slice(0, options.limit);
            }
            return keys;
        });
    }

    listDirs(prefix: string): Promise<string[]> {
        return describedAs(this.url, `list ${prefix}`, async () => {
            const dirs: string[] = [];
            for await (const page of this.pages({ prefix: this.key(prefix), delimiter: "/" })) dirs.push(...page.prefixes.map((p) => this.relative(p)));
            return dirs;
        });
    }

    /**
     * Every page of an objects.list, following nextPageToken. The library's own paging is off:
     * it stops after one page whenever maxResults is set, and GCS may answer fewer entries than
     * asked, so a limit would silently truncate the listing.
     */
    private async *pages(query: GetFilesOptions, pageSize: () => number | undefined = () => undefined) {
        let pageToken: string | undefined;
        do {
            const maxResults = pageSize();
            const [files, next, response] = await this.storage.bucket(this.location.bucket).getFiles({
                ...query,
                ...(maxResults === undefined ? {} : { maxResults: Math.min(1000, maxResults) }),
                ...(pageToken === undefined ? {} : { pageToken }),
                autoPaginate: false,
            });
            yield { names: files.map((f) => f.name), prefixes: (response as { prefixes?: string[] } | undefined)?.prefixes ?? [] };
            pageToken = (next as { pageToken?: string } | null)?.pageToken;
        } while (pageToken);
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
