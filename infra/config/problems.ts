import type { z } from "zod";

/**
 * Turns zod's issues into one clause per bad key that says what was expected and what the
 * stack file gave, in YAML's terms (a number, a text, a list, a mapping), with the fix where
 * one is obvious (quote a version, drop the quotes from a number, write a list in brackets).
 */

/** `langchain-ha:<section>.<key>[i]`: the form every config message names a key in. */
export function keyOf(namespace: string, path: readonly PropertyKey[]): string {
    const [head, ...rest] = path.map(String);
    const tail = rest.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join("");
    return `${namespace}:${head ?? ""}${tail}`;
}

/** How a YAML value reads to a person: `the number 1.29`, `the text "3"`, `a list`, ... */
export function given(value: unknown): string {
    if (value === null) return "an empty value (null)";
    if (Array.isArray(value)) return `a list (${value.length} ${value.length === 1 ? "entry" : "entries"})`;
    switch (typeof value) {
        case "string":
            return `the text ${JSON.stringify(value)}`;
        case "number":
            return `the number ${value}`;
        case "boolean":
            return `the boolean ${value}`;
        case "object":
            return "a mapping";
        default:
            return typeof value;
    }
}

const EXPECTED: Record<string, string> = {
    string: "a text",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    array: "a list",
    object: "a mapping of nested keys",
};

/** What to write instead, when the mistake has one obvious fix. */
function hint(expected: string, input: unknown): string {
    if (expected === "string" && (typeof input === "number" || typeof input === "boolean")) return ` (quote it: "${String(input)}")`;
    if ((expected === "number" || expected === "int") && typeof input === "string" && input.trim() !== "" && Number.isFinite(Number(input))) {
        return ` (write it without quotes: ${input.trim()})`;
    }
    if (expected === "boolean" && (input === "true" || input === "false")) return ` (write it without quotes: ${input})`;
    if (expected === "array" && typeof input === "string") return ` (write a YAML list: [${input.split(",").map((s) => s.trim()).join(", ")}])`;
    if (expected === "object") return " (nest its keys under it, one level deeper in the YAML)";
    return "";
}

function bound(issue: { origin?: string; minimum?: unknown; maximum?: unknown; inclusive?: boolean }, side: "at least" | "at most"): string {
    const limit = String(side === "at least" ? issue.minimum : issue.maximum);
    const strict = issue.inclusive === false ? (side === "at least" ? "more than" : "less than") : side;
    switch (issue.origin) {
        case "array":
        case "set":
            return `needs ${strict} ${limit} ${limit === "1" ? "entry" : "entries"}`;
        case "string":
            return `must be ${strict} ${limit} characters long`;
        default:
            return `must be ${strict} ${limit}`;
    }
}

/** zod's own wording, which we replace; a message a schema wrote itself is kept. */
const ZOD_DEFAULT = /^(Invalid input|Invalid option|Too small|Too big|Invalid )/;

/** One clause for one issue, starting with the key. */
export function describeIssue(namespace: string, issue: z.core.$ZodIssue): string {
    const key = keyOf(namespace, issue.path);
    const input = (issue as { input?: unknown }).input;
    switch (issue.code) {
        case "unrecognized_keys":
            return issue.keys.map((k) => `${keyOf(namespace, [...issue.path, k])} is not a known setting`).join("; ");
        case "invalid_type": {
            if (input === undefined) return `${key} is required`;
            const expected = issue.expected as string;
            const want = EXPECTED[expected] ?? expected;
            if (expected === "int" && typeof input === "number") return `${key} must be a whole number, got ${input}`;
            return `${key} must be ${want}, got ${given(input)}${hint(expected, input)}`;
        }
        case "invalid_value":
            if (!ZOD_DEFAULT.test(issue.message)) return `${key} ${issue.message}`;
            return `${key} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}, got ${input === undefined ? "nothing" : given(input)}`;
        case "too_small":
        case "too_big": {
            if (!ZOD_DEFAULT.test(issue.message)) return `${key} ${issue.message}`;
            const got = typeof input === "number" ? `, got ${input}` : Array.isArray(input) ? `, got ${input.length}` : "";
            return `${key} ${bound(issue, issue.code === "too_small" ? "at least" : "at most")}${got}`;
        }
        case "invalid_union":
            if (!ZOD_DEFAULT.test(issue.message)) return `${key} ${issue.message}`;
            return `${key} is not a valid value, got ${given(input)}`;
        default:
            return `${key} ${issue.message}`;
    }
}
