import * as fs from "node:fs";
import { parseSettings, SETTINGS_POLICY } from "../lib/settings";
import type { PackInfo } from "./analyzer";

/** Bad input from the user: one line, exit code 2. */
export class InputError extends Error {}

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"] as const;
type Level = (typeof LEVELS)[number];

export interface PolicyConfig {
    enforcementLevel: Level;
    properties: Record<string, unknown>;
}

export type RawConfig = Record<string, { enforcementLevel?: Level; properties: Record<string, unknown> }>;

function isLevel(v: unknown): v is Level {
    return typeof v === "string" && (LEVELS as readonly string[]).includes(v);
}

/** Reads a `--policy-pack-config` file in the format the Pulumi CLI accepts. */
export function readPolicyConfig(file: string): RawConfig {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new InputError(`cannot read --policy-pack-config ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (text.trim() === "") return {};
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new InputError(`--policy-pack-config ${file} is not valid JSON: ${(e as Error).message}`);
    }
    if (json === null || typeof json !== "object" || Array.isArray(json)) {
        throw new InputError(`--policy-pack-config ${file} must be a JSON object keyed by policy name`);
    }
    const out: RawConfig = {};
    for (const [name, value] of Object.entries(json as Record<string, unknown>)) {
        if (typeof value === "string") {
            if (!isLevel(value)) throw new InputError(`--policy-pack-config: "${value}" is not a valid enforcement level for "${name}"`);
            out[name] = { enforcementLevel: value, properties: {} };
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
                throw new InputError(`--policy-pack-config: "${String(enforcementLevel)}" is not a valid enforcement level for "${name}"`);
            }
            out[name] = { enforcementLevel: enforcementLevel as Level | undefined, properties };
        } else {
            throw new InputError(`--policy-pack-config: the value for "${name}" must be an enforcement level or an object`);
        }
    }
    return out;
}

/**
 * Reconciles the file with the pack's defaults the way the engine does (schema defaults, then
 * "all", then per-policy), and rejects what the engine would reject plus unknown policy names.
 */
export function reconcileConfig(info: PackInfo, raw: RawConfig): Record<string, PolicyConfig> {
    const names = new Set(info.policies.map((p) => p.name));
    for (const name of Object.keys(raw)) {
        if (name !== "all" && !names.has(name)) {
            throw new InputError(`--policy-pack-config: unknown policy "${name}" (not in ${info.name})`);
        }
    }
    const all = raw["all"]?.enforcementLevel;
    const result: Record<string, PolicyConfig> = {};
    for (const p of info.policies) {
        const defaults: Record<string, unknown> = {};
        for (const [k, schema] of Object.entries(p.configSchema ?? {})) {
            if ("default" in schema) defaults[k] = schema["default"];
        }
        const given = raw[p.name];
        result[p.name] = {
            enforcementLevel: given?.enforcementLevel ?? all ?? (p.enforcementLevel as Level),
            properties: { ...defaults, ...(given?.properties ?? {}) },
        };
    }
    const settings = result[SETTINGS_POLICY];
    if (settings) {
        const parsed = parseSettings(settings.properties);
        if (!parsed.ok) throw new InputError(`--policy-pack-config: ${SETTINGS_POLICY}: ${parsed.error}`);
        const unknown = parsed.settings.exemptions.find((e) => !names.has(e.policy));
        if (unknown) throw new InputError(`--policy-pack-config: exemption names unknown policy "${unknown.policy}"`);
    }
    return result;
}
