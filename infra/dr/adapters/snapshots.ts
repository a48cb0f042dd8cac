import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { GetObjectCommand, ListObjectsV2Command, NoSuchKey, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Storage } from "@google-cloud/storage";
import { InputError } from "../errors";
import type { ObjectLocation } from "./types";

const join = (...parts: string[]) => parts.filter((p) => p !== "").join("/").replace(/\/+/g, "/");

class FileLocation implements ObjectLocation {
    constructor(readonly url: string, private readonly dir: string) {}

    async get(key: string): Promise<Buffer | undefined> {
        try {
            return await fs.promises.readFile(path.join(this.dir, key));
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
            throw error;
        }
    }

    async put(key: string, body: Buffer): Promise<void> {
        const file = path.join(this.dir, key);
        await fs.promises.mkdir(path.dirname(file), { recursive: true });
        await fs.promises.writeFile(file, body);
    }

    async listDirs(prefix: string): Promise<string[]> {
        try {
            const entries = await fs.promises.readdir(path.join(this.dir, prefix), { withFileTypes: true });
            return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
            throw error;
        }
    }
}

class S3Location implements ObjectLocation {
    private readonly client: S3Client;

    constructor(readonly url: string, private readonly bucket: string, private readonly prefix: string, env: NodeJS.ProcessEnv) {
        // A stand-in or S3-compatible endpoint serves buckets by path, not as subdomains.
        this.client = new S3Client({ forcePathStyle: env.AWS_ENDPOINT_URL_S3 !== undefined, maxAttempts: 3 });
    }

    async get(key: string): Promise<Buffer | undefined> {
        try {
            const object = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: join(this.prefix, key) }));
            return object.Body ? Buffer.from(await object.Body.transformToByteArray()) : Buffer.alloc(0);
        } catch (error) {
            if (error instanceof NoSuchKey) return undefined;
            throw error;
        }
    }

    async put(key: string, body: Buffer): Promise<void> {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: join(this.prefix, key), Body: body }));
    }

    async listDirs(prefix: string): Promise<string[]> {
        const base = `${join(this.prefix, prefix)}/`.replace(/^\//, "");
        const dirs: string[] = [];
        let token: string | undefined;
        do {
            const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: base, Delimiter: "/", ContinuationToken: token }));
            for (const p of page.CommonPrefixes ?? []) if (p.Prefix) dirs.push(p.Prefix.slice(base.length).replace(/\/$/, ""));
            token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return dirs.sort();
    }
}

class GcsLocation implements ObjectLocation {
    private readonly storage: Storage;

    constructor(readonly url: string, private readonly bucket: string, private readonly prefix: string) {
        // STORAGE_EMULATOR_HOST, when set, is honoured by the library itself.
        this.storage = new Storage();
    }

    async get(key: string): Promise<Buffer | undefined> {
        try {
            const [content] = await this.storage.bucket(this.bucket).file(join(this.prefix, key)).download();
            return content;
        } catch (error) {
            if ((error as { code?: number }).code === 404) return undefined;
            throw error;
        }
    }

    async put(key: string, body: Buffer): Promise<void> {
        await this.storage.bucket(this.bucket).file(join(this.prefix, key)).save(body, { resumable: false });
    }

    async listDirs(prefix: string): Promise<string[]> {
        const base = `${join(this.prefix, prefix)}/`.replace(/^\//, "");
        const [, , response] = await this.storage.bucket(this.bucket).getFiles({ prefix: base, delimiter: "/", autoPaginate: false });
        const prefixes = (response as { prefixes?: string[] } | undefined)?.prefixes ?? [];
        return prefixes.map((p) => p.slice(base.length).replace(/\/$/, "")).sort();
    }
}

/** A snapshot location from its URL: `file:///dir`, `s3://bucket/prefix` or `gs://bucket/prefix`. */
export function openSnapshotLocation(url: string, env: NodeJS.ProcessEnv = process.env): ObjectLocation {
    const match = /^(file|s3|gs):\/\/([^/]*)(\/.*)?$/.exec(url);
    if (!match) throw new InputError(`"${url}" is not a snapshot location (file:///dir, s3://bucket/prefix or gs://bucket/prefix)`);
    const [, scheme, host, rest = ""] = match;
    const prefix = rest.replace(/^\/+|\/+$/g, "");
    if (scheme === "file") return new FileLocation(url, fileURLToPath(url));
    if (scheme === "s3") return new S3Location(url, host!, prefix, env);
    return new GcsLocation(url, host!, prefix);
}
