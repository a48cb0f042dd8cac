import * as pulumi from "@pulumi/pulumi";
import { splitKeyList } from "../../app/src/auth/keys";
import { CONFIG_KEYS, CONFIG_NAMESPACE, ConfigError, resolveConfig, SECRET_KEYS, type SecretKey, type StackConfig } from "./load";

/** The stack secrets that list the service's API keys, per scope. */
export const API_KEY_SECRETS = ["apiKeysRead", "apiKeysWrite"] as const satisfies readonly SecretKey[];

/** The service's minimum length of ADMIN_TOKEN (app/src/config/env-schema.ts). */
export const ADMIN_TOKEN_MIN_LENGTH = 16;

export interface ProgramConfig {
    config: StackConfig;
    /** Secret values, present only where the stack sets them. */
    secrets: Partial<Record<SecretKey, pulumi.Output<string>>>;
    /** Certificate and key the GCP pods serve TLS with (the GCP L4 load balancer passes TLS through). */
    gcpTls: { certificate: pulumi.Output<string>; privateKey: pulumi.Output<string> };
    /**
     * The UTC date of this run: the one clock read of the program. A scheduled Storage Transfer
     * job whose start date is in the past first runs the next day; starting today it runs at once.
     */
    today: CalendarDate;
}

export interface CalendarDate {
    year: number;
    month: number;
    day: number;
}

/** The UTC calendar date of `at`. */
export function utcDate(at: Date): CalendarDate {
    return { year: at.getUTCFullYear(), month: at.getUTCMonth() + 1, day: at.getUTCDate() };
}

/**
 * Reads the stack's `langchain-ha:*` values through Pulumi's config (the only input of the
 * program), validates them once, and returns the typed config and the secrets. `stackFile`
 * is only named in error messages.
 */
export function readProgramConfig(stackFile = `stacks/Pulumi.${pulumi.getStack()}.yaml`, now = new Date()): ProgramConfig {
    const stack = pulumi.getStack();
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    // Every key of the namespace, known or not, so that resolveConfig can name a misspelt one.
    const prefix = `${CONFIG_NAMESPACE}:`;
    const raw: Record<string, unknown> = {};
    for (const full of Object.keys(pulumi.runtime.allConfig())) {
        const key = full.slice(prefix.length);
        if (!full.startsWith(prefix) || isSecretKey(key)) continue;
        // Structured keys arrive as JSON text; `environment` (and any unknown key) is read as text.
        raw[key] = isStructuredKey(key) ? getObject(config, key, stackFile) : config.get(key);
    }
    const secrets: ProgramConfig["secrets"] = {};
    for (const key of SECRET_KEYS) {
        const value = config.getSecret(key);
        if (value !== undefined) secrets[key] = value;
    }
    const resolved = resolveConfig(stack, raw, stackFile);
    const missing = requiredSecrets(resolved).filter((k) => secrets[k] === undefined);
    if (missing.length > 0) {
        throw new ConfigError(missing.map((k) => `${CONFIG_NAMESPACE}:${k} is required (pulumi config set --secret ${CONFIG_NAMESPACE}:${k} ...)`), stackFile);
    }
    // The service refuses a shorter token at start-up: every pod on both sides would crash-loop.
    const adminToken = pulumi.runtime.allConfig()[`${CONFIG_NAMESPACE}:adminToken`];
    if (adminToken !== undefined && adminToken.length < ADMIN_TOKEN_MIN_LENGTH) {
        throw new ConfigError([`${CONFIG_NAMESPACE}:adminToken must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters (e.g. openssl rand -hex 32)`], stackFile);
    }
    // API keys: checked here, by key name and position, so that a short key is a config error
    // naming the setting instead of a failure inside the program (the values never printed).
    for (const key of API_KEY_SECRETS) {
        const value = pulumi.runtime.allConfig()[`${CONFIG_NAMESPACE}:${key}`];
        const checked = value === undefined ? undefined : splitKeyList(value);
        if (checked !== undefined && !checked.ok) throw new ConfigError([`${CONFIG_NAMESPACE}:${key} ${checked.error}`], stackFile);
    }
    return { config: resolved, secrets, gcpTls: { certificate: secrets.gcpTlsCertificate!, privateKey: secrets.gcpTlsPrivateKey! }, today: utcDate(now) };
}

function isSecretKey(key: string): key is SecretKey {
    return (SECRET_KEYS as readonly string[]).includes(key);
}

function isStructuredKey(key: string): boolean {
    return key !== "environment" && (CONFIG_KEYS as readonly string[]).includes(key);
}

const PROVIDER_KEYS: Record<string, SecretKey | undefined> = { openai: "openaiApiKey", anthropic: "anthropicApiKey", google: "googleApiKey", none: undefined };

/**
 * Secrets the deployment cannot run without: the GCP pods' TLS material, the admin token of the
 * replication API (promotion, snapshot sets), the service's read and write API keys (it refuses
 * to listen beyond loopback without them), Qdrant's API key (an unkeyed Qdrant serves anyone
 * who reaches it), and the API key of each LLM and embedding provider the stack
 * names (the service refuses to start without it).
 */
export function requiredSecrets(config: StackConfig): SecretKey[] {
    const named = [config.app.llm.primary, config.app.llm.secondary, config.app.embeddings.provider];
    const providers = [...new Set(named.map((p) => PROVIDER_KEYS[p]).filter((k): k is SecretKey => k !== undefined))];
    return ["gcpTlsCertificate", "gcpTlsPrivateKey", "adminToken", ...API_KEY_SECRETS, "qdrantApiKey", ...providers];
}

function getObject(config: pulumi.Config, key: string, stackFile: string): unknown {
    try {
        return config.getObject<unknown>(key);
    } catch {
        throw new ConfigError([`${CONFIG_NAMESPACE}:${key} must be a YAML mapping`], stackFile);
    }
}
