import { ENV } from "../contract";
import { hashApiKey, parseApiKeyEntries, type ApiKeyEntry } from "../auth/keys";

export interface AuthConfig {
    /** API keys (hashes only) plus ADMIN_TOKEN as an admin-scope key. */
    keys: ApiKeyEntry[];
    /** False: `read` and `write` routes are open. */
    enabled: boolean;
    /** Why it is off, for the one warning line at start-up. */
    offReason?: "loopback" | "disabled";
    ratePerSecond: number;
    burst: number;
}

/** Addresses only this machine reaches. */
export function isLoopback(host: string): boolean {
    return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The id ADMIN_TOKEN goes by in logs and rate limits. */
export const ADMIN_TOKEN_KEY_ID = "admin-token";

/**
 * The rule: keys given, authentication is on. No keys: on loopback it is off (local
 * development), anywhere else the service refuses to start unless AUTH_DISABLED=true says so.
 */
export function authConfig(
    input: { host: string; apiKeys?: string; authDisabled: boolean; adminToken?: string; ratePerSecond: number; burst: number },
    errors: string[],
): AuthConfig {
    const parsed = input.apiKeys === undefined ? { ok: true as const, entries: [] } : parseApiKeyEntries(input.apiKeys);
    if (!parsed.ok) errors.push(`${ENV.apiKeys}: ${parsed.error}`);
    const keys = parsed.ok ? parsed.entries : [];
    const apiKeys = keys.filter((k) => k.scopes.includes("read") || k.scopes.includes("write"));
    if (input.authDisabled && apiKeys.length > 0) {
        errors.push(`${ENV.authDisabled}: is true while ${ENV.apiKeys} lists keys; unset one of them`);
    }
    if (parsed.ok && apiKeys.length === 0 && !input.authDisabled && !isLoopback(input.host)) {
        errors.push(`${ENV.host}: ${input.host} is not a loopback address and ${ENV.apiKeys} lists no read or write key; set ${ENV.apiKeys}, or ${ENV.authDisabled}=true to serve without authentication`);
    }
    if (input.adminToken !== undefined) keys.push({ id: ADMIN_TOKEN_KEY_ID, scopes: ["admin"], digest: Buffer.from(hashApiKey(input.adminToken), "hex") });
    const enabled = !input.authDisabled && apiKeys.length > 0;
    return {
        keys,
        enabled,
        offReason: enabled ? undefined : input.authDisabled ? "disabled" : "loopback",
        ratePerSecond: input.ratePerSecond,
        burst: input.burst,
    };
}
