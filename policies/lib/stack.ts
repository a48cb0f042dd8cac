import type { RuleContext, StackView, Subject } from "./rule";
import { asArray, isUnknownError, tryGet, UNKNOWN, type Unknown } from "./values";

export const STACK_TYPE = "pulumi:pulumi:Stack";

export function makeStackView(resources: Subject[]): StackView {
    const byType = new Map<string, Subject[]>();
    const byUrn = new Map<string, Subject>();
    for (const r of resources) {
        byUrn.set(r.urn, r);
        pushTo(byType, r.type, r);
    }
    return {
        resources,
        ofType: (...types) => types.flatMap((t) => byType.get(t) ?? []),
        byUrn: (urn) => byUrn.get(urn),
        stack: byType.get(STACK_TYPE)?.[0],
        each(subjects: Subject[], ctx: RuleContext, fn: (s: Subject) => void): boolean {
            let decided = true;
            for (const s of subjects) {
                try {
                    fn(s);
                } catch (e) {
                    if (!isUnknownError(e)) {
                        throw e;
                    }
                    ctx.undecided(s.urn, e.message);
                    decided = false;
                }
            }
            return decided;
        },
    };
}

/** Maps each known value of `keys` (e.g. `id`, `name`) to its resource, for reference lookups. */
export function indexBy(subjects: Subject[], ...keys: string[]): Map<string, Subject> {
    const index = new Map<string, Subject>();
    for (const s of subjects) {
        for (const key of keys) {
            const v = tryGet(s.props, key);
            if (typeof v === "string" && v !== "") {
                index.set(v, s);
            }
        }
    }
    return index;
}

/**
 * Resolves the resources that `prop` of `subject` refers to (ids or names), falling back to the
 * engine's property dependencies when the values are unknown (preview) or not in the index.
 * Returns UNKNOWN when a value is unknown and no dependency tells.
 */
export function resolveRefs(
    stack: StackView,
    subject: Subject,
    prop: string,
    index: Map<string, Subject>,
    types: readonly string[],
): Subject[] | Unknown {
    const raw = tryGet(subject.props, prop);
    const values: unknown[] = raw === UNKNOWN ? [UNKNOWN] : Array.isArray(raw) ? asArray(raw) : raw === undefined ? [] : [raw];
    const found: Subject[] = [];
    let unknown = false;
    let missing = false;
    for (const v of values) {
        const s = typeof v === "string" ? index.get(v) : undefined;
        if (s) found.push(s);
        else if (typeof v === "string") missing = true; // Known, but names something outside the stack.
        else unknown = true;
    }
    if (!unknown && !missing) {
        return found;
    }
    const deps = (subject.propertyDependencies[prop] ?? [])
        .map((urn) => stack.byUrn(urn))
        .filter((s): s is Subject => s !== undefined && types.includes(s.type));
    if (deps.length > 0) {
        return [...new Map([...found, ...deps].map((s) => [s.urn, s])).values()];
    }
    return unknown ? UNKNOWN : found;
}

/** A stack output (the Stack resource's outputs are the program's exports), or UNKNOWN / undefined. */
export function stackOutput(stack: StackView, key: string): unknown {
    return stack.stack ? tryGet(stack.stack.props, key) : undefined;
}

/** Appends `item` to the list under `key`. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, item: V): void {
    const list = map.get(key);
    if (list) list.push(item);
    else map.set(key, [item]);
}
