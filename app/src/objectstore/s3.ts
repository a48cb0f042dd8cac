import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from "@aws-sdk/client-s3";
import { setTimeout } from "node:timers/promises";
import { describedAs, joinKey, type ObjectStore } from "./types";

/** Attempts of a create-once write that meets a concurrent one (409), and the base pause between them. */
const CONFLICT_ATTEMPTS = 6;
const CONFLICT_PAUSE_MS = 20;

export interface S3Location {
    bucket: string;
    prefix: string;
    /** Only for stand-ins and S3-compatible stores; real S3 takes the SDK's default resolution. */
    endpoint?: string;
    region?: string;
}

/**
 * Amazon S3 through the AWS SDK v3. Credentials come from the SDK's default chain (IRSA's web
 * identity token on EKS, a federated role elsewhere): nothing long-lived is configured here.
 * Create-once writes use S3's conditional PUT (`If-None-Match: *`, 412 when the key exists).
 */
export class S3ObjectStore implements ObjectStore {
    private readonly client: S3Client;

    constructor(
        readonly url: string,
        private readonly location: S3Location,
    ) {
        this.client = new S3Client({
            region: location.region ?? process.env.AWS_REGION ?? "us-east-1",
            ...(location.endpoint ? { endpoint: location.endpoint, forcePathStyle: true } : {}),
            // Our callers retry with their own policies; the SDK's 3 attempts would multiply them.
            maxAttempts: 1,
        });
    }

    putIfAbsent(key: string, body: Buffer, signal?: AbortSignal): Promise<"created" | "exists"> {
        return describedAs(this.url, `create ${key}`, async () => {
            for (let attempt = 1; ; attempt++) {
                try {
                    await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: this.key(key), Body: body, IfNoneMatch: "*" }), {
                        abortSignal: signal,
                    });
                    return "created";
                } catch (error) {
                    if (!(error instanceof S3ServiceException)) throw error;
                    if (error.$metadata.httpStatusCode === 412) return "exists";
                    // S3 answers 409 ConditionalRequestConflict while another conditional write of
                    // the key is in flight and documents a retry: the next attempt learns who won.
                    if (error.$metadata.httpStatusCode !== 409 || attempt >= CONFLICT_ATTEMPTS) throw error;
                    await setTimeout(CONFLICT_PAUSE_MS * attempt * (0.5 + Math.random()), undefined, { signal });
                }
            }
        });
    }

    put(key: string, body: Buffer, signal?: AbortSignal): Promise<void> {
        return describedAs(this.url, `write ${key}`, async () => {
            await this.client.send(new PutObjectCommand({ Bucket: this.location.bucket, Key: this.key(key), Body: body }), { abortSignal: signal });
        });
    }

    get(key: string, signal?: AbortSignal): Promise<Buffer | undefined> {
        return describedAs(this.url, `read ${key}`, async () => {
            try {
                const answer = await this.client.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: this.key(key) }), { abortSignal: signal });
                return answer.Body ? Buffer.from(await answer.Body.transformToByteArray()) : Buffer.alloc(0);
            } catch (error) {
                if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return undefined;
                throw error;
            }
        });
    }

    list(prefix: string, options: { startAfter?: string; limit?: number; signal?: AbortSignal } = {}): Promise<string[]> {
        return describedAs(this.url, `list ${prefix}`, async () => {
            const keys: string[] = [];
            let token: string | undefined;
            do {
                const page = await this.client.send(
                    new ListObjectsV2Command({
                        Bucket: this.location.bucket,
                        Prefix: this.key(prefix),
                        StartAfter: options.startAfter === undefined || token ? undefined : this.key(options.startAfter),
                        ContinuationToken: token,
                        MaxKeys: options.limit === undefined ? undefined : Math.min(1000, options.limit - keys.length),
                    }),
                    { abortSignal: options.signal },
                );
                for (const object of page.Contents ?? []) if (object.Key) keys.push(this.relative(object.Key));
                token = page.IsTruncated ? page.NextContinuationToken : undefined;
            } while (token && (options.limit === undefined || keys.length < options.limit));
            return keys;
        });
    }

    listDirs(prefix: string, signal?: AbortSignal): Promise<string[]> {
        return describedAs(this.url, `list ${prefix}`, async () => {
            const dirs: string[] = [];
            let token: string | undefined;
            do {
                const page = await this.client.send(
                    new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: this.key(prefix), Delimiter: "/", ContinuationToken: token }),
                    { abortSignal: signal },
                );
                for (const common of page.CommonPrefixes ?? []) if (common.Prefix) dirs.push(this.relative(common.Prefix));
                token = page.IsTruncated ? page.NextContinuationToken : undefined;
            } while (token);
            return dirs;
        });
    }

    private key(relative: string): string {
        return joinKey(this.location.prefix, relative);
    }

    private relative(full: string): string {
        const base = joinKey(this.location.prefix, "");
        return full.startsWith(base) ? full.slice(base.length) : full;
    }
}
