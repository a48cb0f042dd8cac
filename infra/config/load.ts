import { backupSchedule, journalExpiry, recoveryTimes, type BackupSchedule, type JournalExpiry, type RecoveryTimes } from "./derive";
import { describeIssue } from "./problems";
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

/**
 * A key written with dots (`langchain-ha:dr.rpoMinutes: 45`) is, to Pulumi, a key of its own
 * named "dr.rpoMinutes", not a path: say how to nest it, in the YAML the stack file needs.
 */
function dottedKeyProblem(key: string, value: unknown): string | undefined {
    const [section, ...rest] = key.split(".");
    if (rest.length === 0 || !(CONFIG_KEYS as readonly string[]).includes(section!)) return undefined;
    const shown = value === undefined ? "..." : typeof value === "string" && !/^[\w.\-/@]+$/.test(value) ? JSON.stringify(value) : String(value);
    const nested = rest.reduceRight((inner, k) => `{ ${k}: ${inner} }`, shown);
    return `${CONFIG_NAMESPACE}:${key} is a dotted key, which Pulumi reads as a setting of its own: nest it under ${CONFIG_NAMESPACE}:${section} in the stack file, as \`${CONFIG_NAMESPACE}:${section}: ${nested}\` (merged with the keys already there), or set it with \`pulumi config set --path '${CONFIG_NAMESPACE}:${key}' ${shown}\``;
}

/**
 * Validates the raw `langchain-ha:*` values of one stack (objects already parsed from YAML),
 * applies HA-safe defaults and derives zones, backup schedule and recovery times.
 * Throws ConfigError naming every bad key and the stack file.
 */
export function resolveConfig(stack: string, raw: Record<string, unknown>, stackFile = `stacks/Pulumi.${stack}.yaml`): StackConfig {
    const unknown = Object.keys(raw).filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k) && !(SECRET_KEYS as readonly string[]).includes(k));
    const values = Object.fromEntries(Object.entries(raw).filter(([k]) => (CONFIG_KEYS as readonly string[]).includes(k)));
    // reportInput: the messages say what the stack file gave, not only what was expected.
    const parsed = stackConfigSchema.safeParse(values, { reportInput: true });
    const problems = unknown.map((k) => dottedKeyProblem(k, raw[k]) ?? `${CONFIG_NAMESPACE}:${k} is not a known setting`);
    if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => describeIssue(CONFIG_NAMESPACE, issue)));
    if (problems.length > 0 || !parsed.success) throw new ConfigError(problems, stackFile);

    const c = parsed.data;
    const availabilityZones = c.aws.availabilityZones ?? ["a", "b", "c"].map((s) => `${c.aws.region}${s}`);
    const zones = c.gcp.zones ?? ["b", "c", "d"].map((s) => `${c.gcp.region}-${s}`);
    const recovery = recoveryTimes(c);
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
