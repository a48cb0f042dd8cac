import type { RuleContext, StackView, Subject } from "./rule";
import { isUnknownError, knownElements, tryGet, UNKNOWN, type Unknown } from "./values";

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

/**
 * A value derived from the whole stack (an index), built once per stack view, that is once per
 * analysis, and shared by every rule that asks: a rule that looked through every resource for
 * each resource it judges grew with the square of the stack.
 */
export function perStack<T>(build: (stack: StackView) => T): (stack: StackView) => T {
    const built = new WeakMap<StackView, T>();
    return (stack) => {
        if (built.has(stack)) return built.get(stack) as T;
        const value = build(stack);
        built.set(stack, value);
        return value;
    };
}

/**
 * The resources of a type grouped by `keyOf` (undefined: left out), in stack order: each type's
 * groups built on first use, once per stack.
 */
export function groupedPerStack<K>(keyOf: (stack: StackView, s: Subject) => K | undefined): (stack: StackView, type: string) => Map<K, Subject[]> {
    const indexes = perStack(() => new Map<string, Map<K, Subject[]>>());
    return (stack, type) => {
        const byType = indexes(stack);
        let groups = byType.get(type);
        if (groups === undefined) {
            groups = new Map();
            for (const s of stack.ofType(type)) {
                const key = keyOf(stack, s);
                if (key !== undefined) pushTo(groups, key, s);
            }
            byType.set(type, groups);
        }
        return groups;
    };
}

// Keyed by the provider's URN, or "" where none is recorded (undefined would leave those out).
const byProvider = groupedPerStack((_stack, s) => s.provider ?? "");

/** The resources of `type` whose provider is `provider` (undefined: none recorded), in stack order. */
export function ofTypeWithProvider(stack: StackView, type: string, provider: string | undefined): Subject[] {
    return byProvider(stack, type).get(provider ?? "") ?? [];
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

/** What a reference property resolved to: the resources of the stack it names, and what it could not tell. */
export interface Refs {
    found: Subject[];
    /** Values unknown in preview that no property dependency accounts for. */
    unknown: number;
    /** Known values that name nothing in the stack (a StackReference output, an id made elsewhere). */
    external: number;
}

/**
 * Resolves the resources that `prop` of `subject` refers to (ids or names), element by element:
 * a list may mix known and unknown values in preview. Unknown or unmatched values fall back to
 * the engine's property dependencies on `prop`; what is left is counted, never guessed.
 */
export function resolveRefsDetailed(
    stack: StackView,
    subject: Subject,
    prop: string,
    index: Map<string, Subject>,
    types: readonly string[],
): Refs {
    const raw = tryGet(subject.props, prop);
    const values: unknown[] = raw === UNKNOWN ? [UNKNOWN] : Array.isArray(raw) ? knownElements(raw) : raw === undefined || raw === null ? [] : [raw];
    const found = new Map<string, Subject>();
    let unknown = 0;
    let external = 0;
    for (const v of values) {
        const s = typeof v === "string" ? index.get(v) : undefined;
        if (s) found.set(s.urn, s);
        else if (typeof v === "string") external++;
        else if (v === UNKNOWN) unknown++;
    }
    if (unknown + external > 0) {
        const deps = (subject.propertyDependencies[prop] ?? [])
            .map((urn) => stack.byUrn(urn))
            .filter((s): s is Subject => s !== undefined && types.includes(s.type) && !found.has(s.urn));
        // Each dependency accounts for one value that was unknown (or named it by another key).
        for (const d of deps) found.set(d.urn, d);
        const accounted = Math.min(deps.length, unknown);
        unknown -= accounted;
        external = Math.max(0, external - (deps.length - accounted));
    }
    return { found: [...found.values()], unknown, external };
}

/**
 * The resources `prop` refers to; UNKNOWN when a value is unknown and no dependency tells.
 * Known values outside the stack are left out (see resolveRefsDetailed to count them).
 */
export function resolveRefs(
    stack: StackView,
    subject: Subject,
    prop: string,
    index: Map<string, Subject>,
    types: readonly string[],
): Subject[] | Unknown {
    const refs = resolveRefsDetailed(stack, subject, prop, index, types);
    return refs.unknown > 0 ? UNKNOWN : refs.found;
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
