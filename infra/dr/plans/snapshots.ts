import { createHash } from "node:crypto";
import type { ObjectLocation, SnapshotManifest } from "../adapters/types";

/** Where a set's file lives, relative to the snapshot location (keys may or may not name the set). */
export function fileKey(setId: string, key: string): string {
    return key.startsWith(`${setId}/`) ? key : `${setId}/${key}`;
}

export async function readManifest(location: ObjectLocation, setId: string): Promise<SnapshotManifest | undefined> {
    const body = await location.get(`${setId}/manifest.json`);
    if (body === undefined) return undefined;
    try {
        return JSON.parse(body.toString("utf8")) as SnapshotManifest;
    } catch {
        return undefined;
    }
}

/** The newest complete set at a location (set ids sort by time), or undefined. */
export async function newestSet(location: ObjectLocation): Promise<SnapshotManifest | undefined> {
    const ids = await location.listDirs("");
    for (const id of [...ids].reverse()) {
        const manifest = await readManifest(location, id);
        if (manifest?.complete) return manifest;
    }
    return undefined;
}

/** Files whose bytes are missing or do not hash to the manifest's sha256. */
export async function badFiles(location: ObjectLocation, manifest: SnapshotManifest): Promise<string[]> {
    const bad: string[] = [];
    for (const file of manifest.files) {
        const body = await location.get(fileKey(manifest.setId, file.key));
        if (body === undefined || createHash("sha256").update(body).digest("hex") !== file.sha256.replace(/^sha256:/, "")) bad.push(file.key);
    }
    return bad;
}

/** Copies a set file by file, the manifest last (a set without its manifest is not a set). */
export async function copySet(from: ObjectLocation, to: ObjectLocation, manifest: SnapshotManifest, progress: (line: string) => void): Promise<number> {
    const present = new Set(manifest.files.map((f) => f.key));
    for (const key of await badFiles(to, manifest)) present.delete(key);
    let copied = 0;
    for (const file of manifest.files) {
        if (present.has(file.key)) continue;
        const body = await from.get(fileKey(manifest.setId, file.key));
        if (body === undefined) throw new Error(`${from.url}: ${fileKey(manifest.setId, file.key)} is missing`);
        await to.put(fileKey(manifest.setId, file.key), body);
        copied++;
        progress(`copied ${file.key} (${body.length} bytes)`);
    }
    await to.put(`${manifest.setId}/manifest.json`, Buffer.from(JSON.stringify(manifest, null, 2)));
    return copied;
}
