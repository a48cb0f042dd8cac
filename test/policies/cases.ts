import * as fs from "node:fs";
import * as path from "node:path";
import { parseSettings, type Settings } from "../../policies/lib/settings";
import { FIXTURES, readJson, type FixtureResource } from "./harness";

/** One rule case: the rule's baseline with exactly the changes named here, and what must be reported. */
export interface RuleCase {
    shows: string;
    set?: Record<string, Record<string, unknown>>;
    remove?: Record<string, string[]>;
    drop?: string[];
    add?: FixtureResource[];
    setDeps?: Record<string, Record<string, string[]>>;
    setProvider?: Record<string, string>;
    settings?: Record<string, unknown>;
    expect: { resource: string; level: "mandatory" | "advisory"; message: string }[];
}

export const RULE_FIXTURES = path.join(FIXTURES, "rules");

/** Sets (or with `remove`, deletes) a dotted path, creating the objects on the way. */
export function setPath(obj: Record<string, unknown>, dotted: string, value: unknown, remove = false): void {
    const keys = dotted.split(".");
    let cur: Record<string, unknown> = obj;
    for (const key of keys.slice(0, -1)) {
        if (cur[key] === undefined || cur[key] === null || typeof cur[key] !== "object") cur[key] = {};
        cur = cur[key] as Record<string, unknown>;
    }
    const last = keys[keys.length - 1] as string;
    if (remove) delete cur[last];
    else cur[last] = value;
}

function propsOf(r: FixtureResource): Record<string, unknown>[] {
    return [r.props, r.inputs, r.outputs].filter((p): p is Record<string, unknown> => p !== undefined);
}

/** Applies a case to a deep copy of the baseline. */
export function applyCase(baseline: FixtureResource[], c: RuleCase): FixtureResource[] {
    const resources = (JSON.parse(JSON.stringify(baseline)) as FixtureResource[]).filter((r) => !(c.drop ?? []).includes(r.name));
    const find = (name: string) => {
        const r = resources.find((x) => x.name === name);
        if (!r) throw new Error(`case changes unknown resource ${name}`);
        return r;
    };
    for (const [name, paths] of Object.entries(c.set ?? {})) {
        for (const [p, v] of Object.entries(paths)) propsOf(find(name)).forEach((props) => setPath(props, p, v));
    }
    for (const [name, paths] of Object.entries(c.remove ?? {})) {
        for (const p of paths) propsOf(find(name)).forEach((props) => setPath(props, p, undefined, true));
    }
    for (const [name, deps] of Object.entries(c.setDeps ?? {})) {
        const r = find(name);
        r.propertyDependencies = { ...(r.propertyDependencies ?? {}), ...deps };
    }
    for (const [name, provider] of Object.entries(c.setProvider ?? {})) find(name).provider = provider;
    return [...resources, ...(c.add ?? [])];
}

export function caseSettings(c: RuleCase): Settings {
    const parsed = parseSettings(c.settings ?? {});
    if (!parsed.ok) throw new Error(parsed.error);
    return parsed.settings;
}

export interface RuleFixtures {
    rule: string;
    baseline: FixtureResource[];
    cases: { file: string; case: RuleCase }[];
}

/** A rule's baseline: its resources, or those of the rule it names in `sameAs`. */
function readBaseline(rule: string): FixtureResource[] {
    const baseline = readJson<{ resources?: FixtureResource[]; sameAs?: string }>(path.join(RULE_FIXTURES, rule, "baseline.json"));
    return baseline.sameAs !== undefined ? readBaseline(baseline.sameAs) : baseline.resources ?? [];
}

export function loadRuleFixtures(): RuleFixtures[] {
    return fs
        .readdirSync(RULE_FIXTURES)
        .sort()
        .map((rule) => {
            const dir = path.join(RULE_FIXTURES, rule);
            const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json") && f !== "baseline.json").sort();
            return {
                rule,
                baseline: readBaseline(rule),
                cases: files.map((f) => ({ file: f, case: readJson<RuleCase>(path.join(dir, f)) })),
            };
        });
}
