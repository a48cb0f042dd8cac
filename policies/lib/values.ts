import { UnknownValueError } from "@pulumi/policy";

/** Marks a value the engine could not know yet (during preview). */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

export function isUnknownError(e: unknown): e is Error {
    return e instanceof UnknownValueError;
}

/**
 * Reads a dotted path. Properties come wrapped in @pulumi/policy's unknownCheckingProxy, so
 * touching an unknown value throws UnknownValueError; the caller decides what that means.
 */
export function get(value: unknown, path: string): unknown {
    let cur = value;
    for (const key of path.split(".")) {
        if (cur === null || typeof cur !== "object") {
            return undefined;
        }
        cur = (cur as Record<string, unknown>)[key];
    }
    return cur;
}

/** Like `get`, but returns UNKNOWN instead of throwing when the value is unknown in preview. */
export function tryGet(value: unknown, path: string): unknown {
    return known(() => get(value, path));
}

/** Runs `read`, turning an unknown-value error into UNKNOWN. */
export function known<T>(read: () => T): T | Unknown {
    try {
        return read();
    } catch (e) {
        if (isUnknownError(e)) {
            return UNKNOWN;
        }
        throw e;
    }
}

/** True when `key` is set on `obj`, without reading it (an unknown value counts as set). */
export function has(obj: unknown, key: string): boolean {
    if (obj === null || typeof obj !== "object" || !(key in obj)) {
        return false;
    }
    const v = known(() => (obj as Record<string, unknown>)[key]);
    return v === UNKNOWN || (v !== undefined && v !== null && v !== "");
}

/** The elements of a list, each unknown one (preview) as UNKNOWN instead of a throw on reading it. */
export function knownElements(list: unknown[]): unknown[] {
    const out: unknown[] = [];
    for (let i = 0; i < list.length; i++) out.push(known(() => list[i]));
    return out;
}

export function asArray(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}

export function asRecord(v: unknown): Record<string, unknown> {
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

export function asNumber(v: unknown): number | undefined {
    if (typeof v === "number") {
        return v;
    }
    if (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v))) {
        return Number(v);
    }
    return undefined;
}

export function asString(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}

/** Strings of a list, skipping anything else. */
export function asStrings(v: unknown): string[] {
    return asArray(v).filter((x): x is string => typeof x === "string");
}
