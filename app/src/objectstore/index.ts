import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { GcsObjectStore } from "./gcs";
import { LocalObjectStore } from "./local";
import { S3ObjectStore } from "./s3";
import type { ObjectStore } from "./types";

export { ObjectStoreError, type ObjectStore } from "./types";
export { FallbackObjectStore } from "./fallback";

/** Endpoints of stand-ins or compatible stores; unset for the real clouds. */
export interface ObjectStoreEndpoints {
    s3?: string;
    gcs?: string;
}

/** Parses a location URL (file://, s3://bucket/prefix, gs://bucket/prefix); throws a one-line error on anything else. */
export function parseObjectStoreUrl(url: string): { scheme: "file"; dir: string } | { scheme: "s3" | "gs"; bucket: string; prefix: string } {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw new Error(`${url} is not a URL; use file:///dir, s3://bucket/prefix or gs://bucket/prefix`);
    }
    if (parsed.protocol === "file:") return { scheme: "file", dir: resolve(fileURLToPath(parsed)) };
    if (parsed.protocol === "s3:" || parsed.protocol === "gs:") {
        if (parsed.hostname === "") throw new Error(`${url} names no bucket`);
        return { scheme: parsed.protocol === "s3:" ? "s3" : "gs", bucket: parsed.hostname, prefix: decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, "") };
    }
    throw new Error(`${url}: unsupported scheme ${parsed.protocol} (use file://, s3:// or gs://)`);
}

export function openObjectStore(url: string, endpoints: ObjectStoreEndpoints = {}): ObjectStore {
    const location = parseObjectStoreUrl(url);
    switch (location.scheme) {
        case "file":
            return new LocalObjectStore(url, location.dir);
        case "s3":
            return new S3ObjectStore(url, { bucket: location.bucket, prefix: location.prefix, endpoint: endpoints.s3 });
        case "gs":
            return new GcsObjectStore(url, { bucket: location.bucket, prefix: location.prefix, apiEndpoint: endpoints.gcs });
    }
}
