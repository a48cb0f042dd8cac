import { z } from "zod";
import { backupSchedule, journalExpiry, recoveryTimes, type BackupSchedule, type JournalExpiry, type RecoveryTimes } from "./derive";
import { stackConfigSchema, type ParsedStackConfig } from "./schema";

/** The config namespace of every key in a stack file (`langchain-ha:<key>`). */
export const CONFIG_NAMESPACE = "langchain-ha";
export const CONFIG_KEYS = ["environment", "aws", "gcp", "dr", "qdrant", "app", "dns", "backup", "replication", "slo"] as const;
/** Secret keys the program reads (set with `pulumi config set --secret`). */
export const SECRET_KEYS = [
    "openaiApiKey", "anthropicApiKey", "googleApiKey", "qdrantApiKey", "gcpTlsCertificate", "gcpTlsPrivateKey", "adminToken",
    // The service's API keys, comma-separated per scope (several at once while rotating); the
    // program mounts only their SHA-256 hashes (infra/service/apiKeys.ts).
    "apiKeysRead", "apiKeysWrite",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** Raised for invalid stack config; the message names the key and the stack file. */
export class ConfigError extends Error {
    constructor(readonly problems: string[], readonly stackFile: string) {
        super(`${stackFile}: ${problems.join("; ")}`);
        this.name = "ConfigError";
    }
}

/** Validated config with zones resolved and the values derived from it. */
export interface StackConfig extends ParsedStackConfig {
    stack: string;
    aws: ParsedStackConfig["aws"] & { availabilityZones: string[] };
    gcp: ParsedStackConfig["gcp"] & { zones: string[] };
    backupSchedule: BackupSchedule;
    /** When the replication journal's entries expire, from the snapshot schedule. */
    journal: JournalExpiry;
    recovery: RecoveryTimes;
}

function keyOf(path: PropertyKey[]): string {
    const [head, ...rest] = path.map(String);
    const tail = rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("");
    return `${CONFIG_NAMESPACE}:${head ?? ""}${tail}`;
}

function describe(issue: z.core.$ZodIssue): string {
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => `${keyOf([...issue.path, k])} is not a known setting`).join("; ");
    }
    if (issue.code === "invalid_type" && issue.input === undefined) return `${keyOf(issue.path)} is required`;
    return `${keyOf(issue.path)} ${issue.message}`;
}

/**
 * Validates the raw `langchain-ha:*` values of one stack (objects already parsed from YAML),
 * applies HA-safe defaults and derives zones, backup schedule and recovery times.
 * Throws ConfigError naming every bad key and the stack file.
 */
export function resolveConfig(stack: string, raw: Record<string, unknown>, stackFile = `stacks/Pulumi.${stack}.yaml`): StackConfig {
    const unknown = Object.keys(raw).filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k) && !(SECRET_KEYS as readonly string[]).includes(k));
    const values = Object.fromEntries(Object.entries(raw).filter(([k]) => (CONFIG_KEYS as readonly string[]).includes(k)));
    const parsed = stackConfigSchema.safeParse(values);
    const problems = unknown.map((k) => `${CONFIG_NAMESPACE}:${k} is not a known setting`);
    if (!parsed.success) problems.push(...parsed.error.issues.map(describe));
    if (problems.length > 0 || !parsed.success) throw new ConfigError(problems, stackFile);

    const c = parsed.data;
    const availabilityZones = c.aws.availabilityZones ?? ["a", "b", "c"].map((s) => `${c.aws.region}${s}`);
    const zones = c.gcp.zones ?? ["b", "c", "d"].map((s) => `${c.gcp.region}-${s}`);
    const recovery = recoveryTimes(c);
    const rtoSeconds = c.dr.rtoMinutes * 60;
    if (recovery.impliedRtoSeconds > rtoSeconds) {
        throw new ConfigError(
            [
                `${CONFIG_NAMESPACE}:dr.rtoMinutes is ${c.dr.rtoMinutes} but detection (${recovery.detectionSeconds} s) + TTL (${recovery.ttlSeconds} s)` +
                    ` + scale-up (${recovery.scaleUpSeconds} s) = ${recovery.impliedRtoSeconds} s; lower dns.healthCheck or dns.ttlSeconds, or use dr.mode warm`,
            ],
            stackFile,
        );
    }
    const schedule = backupSchedule(c.dr.rpoMinutes, c.backup.transferMode);
    return {
        ...c,
        stack,
        aws: { ...c.aws, availabilityZones },
        gcp: { ...c.gcp, zones },
        backupSchedule: schedule,
        journal: journalExpiry(schedule.snapshotEveryMinutes, c.replication.journalRetentionDays),
        recovery,
    };
}
