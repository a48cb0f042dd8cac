import { createHash } from "node:crypto";

/** What a key may do: `read` asks, `write` ingests, `admin` runs the runbook's operator actions. */
export const SCOPES = ["read", "write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

/** Shortest key the program accepts; `openssl rand -hex 32` gives 64 characters. */
export const MIN_API_KEY_LENGTH = 16;

/** One accepted key, as the service holds it: never the key itself, only its SHA-256. */
export interface ApiKeyEntry {
    /** Names the key in logs, metrics and rate limits; not secret. */
    id: string;
    scopes: Scope[];
    /** SHA-256 of the key, 32 bytes. */
    digest: Buffer;
}

const ID = /^[A-Za-z0-9._-]{1,64}$/;
const HEX_DIGEST = /^[0-9a-f]{64}$/;

/**
 * SHA-256 of a key, hex. A fast hash is enough: keys are random and high-entropy, so there is
 * no dictionary to try, and the lookup must stay cheap on every request.
 */
export function hashApiKey(key: string): string {
    return createHash("sha256").update(key, "utf8").digest("hex");
}

/** `<id>:<scope>[+<scope>...]:<sha256 hex>`, the form API_KEYS lists (comma-separated). */
export function formatApiKeyEntry(id: string, scopes: readonly Scope[], digestHex: string): string {
    return `${id}:${[...scopes].sort().join("+")}:${digestHex}`;
}

export type ParsedApiKeys = { ok: true; entries: ApiKeyEntry[] } | { ok: false; error: string };

/** Parses API_KEYS; the error names the entry (by position and id, never a digest) and the rule it breaks. */
export function parseApiKeyEntries(text: string): ParsedApiKeys {
    const entries: ApiKeyEntry[] = [];
    const items = text.split(",").map((s) => s.trim()).filter((s) => s !== "");
    for (const [i, item] of items.entries()) {
        const [id = "", scopeList = "", digest = "", ...rest] = item.split(":");
        const where = `entry ${i + 1}${ID.test(id) ? ` (${id})` : ""}`;
        if (rest.length > 0 || !ID.test(id)) return { ok: false, error: `${where}: must be <id>:<scopes>:<sha256 hex>, the id 1-64 letters, digits, '.', '_' or '-'` };
        const scopes = scopeList.split("+");
        const unknown = scopes.find((s) => !(SCOPES as readonly string[]).includes(s));
        if (unknown !== undefined) return { ok: false, error: `${where}: unknown scope "${unknown}" (scopes: ${SCOPES.join(", ")})` };
        if (!HEX_DIGEST.test(digest)) return { ok: false, error: `${where}: the key's SHA-256 must be 64 lower-case hex digits (never the key itself)` };
        if (entries.some((e) => e.id === id)) return { ok: false, error: `${where}: id "${id}" appears more than once` };
        entries.push({ id, scopes: [...new Set(scopes as Scope[])], digest: Buffer.from(digest, "hex") });
    }
    return { ok: true, entries };
}

/**
 * API_KEYS from lists of plain keys per scope (what the Pulumi program holds as stack secrets):
 * a key listed under several scopes gets all of them; its id is a prefix of its digest, so it
 * is stable across deployments and says nothing usable about the key.
 */
export function apiKeysFromScopedKeys(keysByScope: Partial<Record<Scope, string[]>>): string {
    const byDigest = new Map<string, Set<Scope>>();
    for (const scope of SCOPES) {
        for (const key of keysByScope[scope] ?? []) {
            const digest = hashApiKey(key);
            byDigest.set(digest, (byDigest.get(digest) ?? new Set<Scope>()).add(scope));
        }
    }
    return [...byDigest].map(([digest, scopes]) => formatApiKeyEntry(`key-${digest.slice(0, 12)}`, [...scopes], digest)).join(",");
}

/** A comma-separated list of plain keys (a stack secret), each checked for length. */
export function splitKeyList(text: string): { ok: true; keys: string[] } | { ok: false; error: string } {
    const keys = text.split(",").map((k) => k.trim()).filter((k) => k !== "");
    if (keys.length === 0) return { ok: false, error: "lists no key" };
    const short = keys.findIndex((k) => k.length < MIN_API_KEY_LENGTH);
    if (short >= 0) return { ok: false, error: `key ${short + 1} is shorter than ${MIN_API_KEY_LENGTH} characters (e.g. openssl rand -hex 32)` };
    return { ok: true, keys };
}
