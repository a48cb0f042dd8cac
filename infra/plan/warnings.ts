import { CONFIG_NAMESPACE, SECRET_KEYS, type StackConfig } from "../config";
import type { StackFileConfig } from "./stackFile";

/**
 * Values that validate and deploy, yet should not reach `pulumi up` unreviewed (warnings), and
 * secrets written in plain text (refused). Pure: the stack file and its config in, findings out.
 */

export interface PlanWarning {
    /** The key, `langchain-ha:<section>.<field>`. */
    key: string;
    message: string;
}

/** Key names that hold credentials wherever they are nested. */
const SECRET_NAME = /(api[-_]?key|token|password|secret|private[-_]?key)s?$/i;
/** Credentials by their well-known shapes: OpenAI/Anthropic `sk-`, Google `AIza`, AWS access key ids. */
const SECRET_VALUE = /\b(sk-(ant-)?[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,}|AKIA[0-9A-Z]{16})\b/;

/** Every string leaf of a value with its dotted path below `prefix`. */
function leaves(value: unknown, prefix: string): [string, string][] {
    if (typeof value === "string") return [[prefix, value]];
    if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${prefix}[${i}]`));
    if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => leaves(v, `${prefix}.${k}`));
    return [];
}

/** The stack file's values parsed back (structured keys arrive as JSON text). */
function parsedValues(file: StackFileConfig): [string, unknown][] {
    return Object.entries(file.values)
        .filter(([key]) => !file.secretKeys.includes(key))
        .map(([key, text]) => {
            try {
                return [key, JSON.parse(text) as unknown];
            } catch {
                return [key, text];
            }
        });
}

/** Secrets written in plain text in the stack file: one clause each, with how to set them instead. */
export function plainTextSecrets(file: StackFileConfig): string[] {
    const found: string[] = [];
    for (const [key, value] of parsedValues(file)) {
        const name = key.startsWith(`${CONFIG_NAMESPACE}:`) ? key.slice(CONFIG_NAMESPACE.length + 1) : key;
        for (const [at, text] of leaves(value, key)) {
            const leaf = at.replace(/(\[\d+\])+$/, "").split(".").pop() ?? "";
            const secretByName = (SECRET_KEYS as readonly string[]).includes(name) || SECRET_NAME.test(leaf);
            if (text === "" || !(secretByName || SECRET_VALUE.test(text))) continue;
            found.push(`${at} holds a secret in plain text: take it out of the file, rotate it (the repository's history keeps it), and set it with \`pulumi config set --secret ${at} ...\``);
        }
    }
    return found;
}

/** RFC 2606 names, reserved for examples. */
const EXAMPLE_DOMAIN = /(^|\.)example\.(com|org|net)$/;

/** What deploys but should be looked at first, each naming its key. */
export function unsafeValues(file: StackFileConfig, config: StackConfig): PlanWarning[] {
    const warnings: PlanWarning[] = [];
    const warn = (key: string, message: string) => warnings.push({ key: `${CONFIG_NAMESPACE}:${key}`, message });
    const values = parsedValues(file);
    for (const [key, value] of values) {
        for (const [at, text] of leaves(value, key)) {
            if (/placeholder/i.test(text)) warnings.push({ key: at, message: `is a placeholder (${text}): replace it with your account's value` });
        }
    }
    const named = new Set(warnings.map((w) => w.key));
    for (const key of file.placeholders) {
        if (!named.has(key) && ![...named].some((k) => k.startsWith(`${key}.`))) warnings.push({ key, message: "is marked PLACEHOLDER in the stack file: replace it with your account's value" });
    }
    if (config.dns.alarmEmail === undefined) {
        warn("dns.alarmEmail", "is not set: the alarm topic has no subscriber, so a failed health check or a burning SLO pages nobody; set it, or subscribe the topic (output alarmTopicArn) to your pager");
    } else if (EXAMPLE_DOMAIN.test(config.dns.alarmEmail.split("@")[1] ?? "")) {
        warn("dns.alarmEmail", `is an example address (${config.dns.alarmEmail}): alarms would page nobody`);
    }
    const app = values.find(([key]) => key === `${CONFIG_NAMESPACE}:app`)?.[1] as { image?: unknown } | undefined;
    if (app?.image === undefined) {
        warn("app.image", `is not set, so the service runs the default ${config.app.image}, which nobody chose: build app/, push it to your registry and set the image (a tag or digest)`);
    }
    return warnings;
}
