import picomatch from "picomatch";
import { z } from "zod";

/** The policy whose config carries the pack-wide settings (thresholds and exemptions). */
export const SETTINGS_POLICY = "pack-config-settings-enforce-validity";

export const DEFAULT_THRESHOLDS = {
    minReplicas: 2,
    minQdrantReplicas: 3,
    minAzs: 2,
    maxRtoSeconds: 300,
} as const;

const exemptionSchema = z
    .object({
        policy: z.string().min(1),
        resource: z.string().min(1),
        reason: z.string().min(1),
        expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD"),
    })
    .strict();

export const settingsSchema = z
    .object({
        minReplicas: z.number().int().min(1).default(DEFAULT_THRESHOLDS.minReplicas),
        minQdrantReplicas: z.number().int().min(1).default(DEFAULT_THRESHOLDS.minQdrantReplicas),
        minAzs: z.number().int().min(1).default(DEFAULT_THRESHOLDS.minAzs),
        // No default: the RTO rule judges a stack against its own target where it states one; set, this caps it.
        maxRtoSeconds: z.number().positive().optional(),
        exemptions: z.array(exemptionSchema).default([]),
    })
    .strict();

export type Settings = z.infer<typeof settingsSchema>;
export type Exemption = Settings["exemptions"][number];

export const DEFAULT_SETTINGS: Settings = settingsSchema.parse({});

/** Parses settings; returns one line describing the first problems on failure. */
export function parseSettings(raw: unknown): { ok: true; settings: Settings } | { ok: false; error: string } {
    const parsed = settingsSchema.safeParse(raw ?? {});
    if (parsed.success) {
        return { ok: true, settings: parsed.data };
    }
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return { ok: false, error: problems.join("; ") };
}

/** JSON schema of the settings, as the engine validates `--policy-pack-config` against it. */
export function settingsJsonSchema(policyNames: string[]): Record<string, Record<string, unknown>> {
    return {
        minReplicas: { type: "integer", minimum: 1, default: DEFAULT_THRESHOLDS.minReplicas },
        minQdrantReplicas: { type: "integer", minimum: 1, default: DEFAULT_THRESHOLDS.minQdrantReplicas },
        minAzs: { type: "integer", minimum: 1, default: DEFAULT_THRESHOLDS.minAzs },
        maxRtoSeconds: { type: "number", exclusiveMinimum: 0 },
        exemptions: {
            type: "array",
            items: {
                type: "object",
                additionalProperties: false,
                required: ["policy", "resource", "reason", "expires"],
                properties: {
                    policy: { type: "string", enum: policyNames },
                    resource: { type: "string", minLength: 1 },
                    reason: { type: "string", minLength: 1 },
                    expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
                },
            },
        },
    };
}

// The settings policy runs first in every Analyze and AnalyzeStack call and stores what the
// engine configured here, so every rule in the same process sees the same settings.
let active: Settings = DEFAULT_SETTINGS;

export function activeSettings(): Settings {
    return active;
}

export function setActiveSettings(settings: Settings): void {
    active = settings;
}

/** An exemption lapses at the end of its `expires` day (UTC). */
export function isExpired(exemption: Exemption, now: Date = new Date()): boolean {
    return Date.parse(`${exemption.expires}T23:59:59.999Z`) < now.getTime();
}

const matchers = new Map<string, (s: string) => boolean>();

/** `resource` is a logical name or a glob over names and URNs; `*` crosses `/` and `::`. */
export function exemptionMatches(exemption: Exemption, urn: string, name: string): boolean {
    if (exemption.resource === name || exemption.resource === urn) {
        return true;
    }
    let isMatch = matchers.get(exemption.resource);
    if (!isMatch) {
        isMatch = picomatch(exemption.resource, { bash: true, dot: true });
        matchers.set(exemption.resource, isMatch);
    }
    return isMatch(urn) || isMatch(name);
}

/** The active (unexpired) exemption covering `policy` on a resource, if any. */
export function findExemption(settings: Settings, policy: string, urn: string, now: Date = new Date()): Exemption | undefined {
    const name = urnName(urn);
    return settings.exemptions.find(
        (e) => e.policy === policy && !isExpired(e, now) && exemptionMatches(e, urn, name),
    );
}

/** Logical name: the part of a URN after the last `::`. */
export function urnName(urn: string): string {
    const at = urn.lastIndexOf("::");
    return at < 0 ? urn : urn.slice(at + 2);
}
