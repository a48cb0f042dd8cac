import { randomUUID } from "node:crypto";
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { describedAs, type ObjectStore } from "./types";

/**
 * Objects as files under a directory: the embedded default and the local drill. Bytes go to a
 * temporary file first, so a reader never sees half an object, and two processes sharing the
 * directory cannot both win a create-once key.
 */
export class LocalObjectStore implements ObjectStore {
    constructor(
        readonly url: string,
        private readonly root: string,
    ) {}

    putIfAbsent(key: string, body: Buffer): Promise<"created" | "exists"> {
        return describedAs(this.url, `create ${key}`, async () => {
            const target = this.path(key);
            await mkdir(dirname(target), { recursive: true });
            // A hard link to a finished temporary file is atomic and fails if the name is taken:
            // it decides the race and makes the content appear whole in one step.
            const temporary = await this.writeTemporary(target, body);
            try {
                await link(temporary, target);
                return "created";
            } catch (error) {
                if ((error as NodeJS.ErrnoException).code === "EEXIST") return "exists";
                throw error;
            } finally {
                await unlink(temporary);
            }
        });
    }

    put(key: string, body: Buffer): Promise<void> {
        return describedAs(this.url, `write ${key}`, async () => {
            const target = this.path(key);
            await mkdir(dirname(target), { recursive: true });
            await this.writeWhole(target, body);
        });
    }

    get(key: string): Promise<Buffer | undefined> {
        return describedAs(this.url, `read ${key}`, async () => {
            try {
                return await readFile(this.path(key));
            } catch (error) {
                // A directory is a key prefix, not an object: object stores have no such key either.
                const code = (error as NodeJS.ErrnoException).code;
                if (code === "ENOENT" || code === "EISDIR") return undefined;
                throw error;
            }
        });
    }

    list(prefix: string, options: { startAfter?: string; limit?: number } = {}): Promise<string[]> {
        return describedAs(this.url, `list ${prefix}`, async () => {
            // A prefix matches names like S3's and GCS's do, so "a/b" also lists "a/bc": walk the
            // directory holding the prefix's last part and filter by name.
            const keys = (await this.walk(prefix.slice(0, prefix.lastIndexOf("/") + 1)))
                .filter((key) => key.startsWith(prefix) && (options.startAfter === undefined || key > options.startAfter))
                .sort();
            return options.limit === undefined ? keys : keys.slice(0, options.limit);
        });
    }

    listDirs(prefix: string): Promise<string[]> {
        return describedAs(this.url, `list ${prefix}`, async () => {
            const entries = await readdir(this.path(prefix), { withFileTypes: true }).catch(missingAsEmpty);
            return entries.filter((e) => e.isDirectory()).map((e) => `${prefix}${e.name}/`).sort();
        });
    }

    private path(key: string): string {
        if (key.split("/").includes("..")) throw new Error(`key ${key} leaves the store`);
        return join(this.root, key);
    }

    private async walk(dirPrefix: string): Promise<string[]> {
        const entries = await readdir(this.path(dirPrefix), { withFileTypes: true }).catch(missingAsEmpty);
        const keys: string[] = [];
        for (const entry of entries) {
            const key = `${dirPrefix}${entry.name}`;
            if (entry.isDirectory()) keys.push(...(await this.walk(`${key}/`)));
            else if (!entry.name.endsWith(".tmp")) keys.push(key);
        }
        return keys;
    }

    private async writeWhole(target: string, body: Buffer): Promise<void> {
        await rename(await this.writeTemporary(target, body), target);
    }

    private async writeTemporary(target: string, body: Buffer): Promise<string> {
        const temporary = `${target}.${process.pid}.${randomUUID()}.tmp`;
        await writeFile(temporary, body, { flush: true });
        return temporary;
    }
}

function missingAsEmpty(error: NodeJS.ErrnoException): never[] {
    if (error.code === "ENOENT") return [];
    throw error;
}
