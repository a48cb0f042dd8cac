import { openObjectStore } from "../../../app/src/objectstore";
import { InputError, oneLine } from "../errors";
import type { ObjectLocation } from "./types";

/**
 * A snapshot location from its URL (`file:///dir`, `s3://bucket/prefix`, `gs://bucket/prefix`)
 * through the service's own object-storage adapters, so the runbook reads and writes sets
 * exactly as the service does. AWS_ENDPOINT_URL_S3 and STORAGE_EMULATOR_HOST point them at
 * stand-ins or compatible stores.
 */
export function openSnapshotLocation(url: string, env: NodeJS.ProcessEnv = process.env): ObjectLocation {
    let store: ReturnType<typeof openObjectStore>;
    try {
        store = openObjectStore(url, { s3: env.AWS_ENDPOINT_URL_S3, gcs: env.STORAGE_EMULATOR_HOST });
    } catch (error) {
        throw new InputError(`snapshot location ${oneLine(error)}`);
    }
    return {
        url,
        get: (key) => store.get(key),
        put: (key, body) => store.put(key, body),
        // The store names directories with their prefix and a trailing "/": keep the bare names.
        listDirs: async (prefix) => (await store.listDirs(prefix)).map((d) => d.slice(prefix.length).replace(/\/$/, "")),
    };
}
