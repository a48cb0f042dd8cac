import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/** Raised for a bad stack name or stack file; its message is one line meant for the user. */
export class PlanError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PlanError";
    }
}

export const DEFAULT_STACKS_DIR = path.resolve(__dirname, "..", "..", "stacks");

export interface StackFileConfig {
    /** Config map as the engine hands it to the program: `ns:key` -> string (objects as JSON). */
    values: Record<string, string>;
    /** Keys whose values are `secure:` in the file (only their ciphertext is known offline). */
    secretKeys: string[];
    /** Path of the file, relative to the working directory, for messages. */
    file: string;
    /** Keys (`ns:section.field`) on lines the file marks `# PLACEHOLDER`: account-specific values still to fill in. */
    placeholders: string[];
}

/** The keys of lines whose comment says PLACEHOLDER, their path taken from the indentation. */
export function placeholderKeys(text: string): string[] {
    const stack: { indent: number; key: string }[] = [];
    const found: string[] = [];
    for (const line of text.split("\n")) {
        const m = /^(\s*)([\w:.-]+):/.exec(line);
        if (!m) continue;
        const indent = m[1]!.length;
        while (stack.length > 0 && stack[stack.length - 1]!.indent >= indent) stack.pop();
        stack.push({ indent, key: m[2]! });
        if (/#.*PLACEHOLDER/.test(line)) found.push(stack.slice(1).map((s) => s.key).join("."));
    }
    return found;
}

/** The stacks that have a `Pulumi.<stack>.yaml` in `dir`. */
export function listStacks(dir = DEFAULT_STACKS_DIR): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** Reads `stacks/Pulumi.<stack>.yaml` into the config map Pulumi would pass to the program. */
export function readStackFile(stack: string, dir = DEFAULT_STACKS_DIR): StackFileConfig {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(stack)) throw new PlanError(`"${stack}" is not a valid stack name (letters, digits, _ . -)`);
    const full = path.join(dir, `Pulumi.${stack}.yaml`);
    const file = path.relative(process.cwd(), full) || full;
    if (!fs.existsSync(full)) {
        const known = listStacks(dir);
        throw new PlanError(`unknown stack "${stack}": no ${file} (stacks: ${known.join(", ") || "none"})`);
    }
    let doc: unknown;
    const text = fs.readFileSync(full, "utf8");
    try {
        doc = parse(text);
    } catch (err) {
        throw new PlanError(`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
    const config = (doc as { config?: unknown } | null)?.config;
    if (config === undefined || config === null) return { values: {}, secretKeys: [], file, placeholders: [] };
    if (typeof config !== "object" || Array.isArray(config)) throw new PlanError(`${file}: "config" must be a mapping of keys to values`);
    const values: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
        if (!key.includes(":")) throw new PlanError(`${file}: config key "${key}" needs a namespace, e.g. langchain-ha:${key}`);
        if (isSecure(value)) {
            secretKeys.push(key);
            values[key] = `<secret ${key}>`;
        } else {
            values[key] = typeof value === "string" ? value : JSON.stringify(value);
        }
    }
    return { values, secretKeys, file, placeholders: placeholderKeys(text) };
}

function isSecure(value: unknown): boolean {
    return typeof value === "object" && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value;
}
