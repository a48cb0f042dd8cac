import type { Enforcement, Rule, RuleContext, Subject } from "./rule";
import type { Settings } from "./settings";
import { makeStackView } from "./stack";
import { isUnknownError } from "./values";

/**
 * Running the pack's rules on resources found inside an opaque wrapper (a CloudFormation
 * template): the resources are built as the engine would send them, unknown values included,
 * and what the rules say is collected instead of reported, for the wrapper's rule to report.
 */

interface Proxy {
    unknownCheckingProxy(value: unknown): Record<string, unknown>;
    unknownStringValue: unknown;
}
// @pulumi/policy's proxy is internal (its typings export nothing); it is what wraps every
// property the engine sends, so rules read a wrapper's contents exactly as they read resources.
const proxy = require("@pulumi/policy/proxy") as Proxy;

export interface InnerFinding {
    rule: Rule;
    urn: string;
    message: string;
    level: Enforcement;
    /** The rule could not decide (the message says what it could not read). */
    undecided: boolean;
}

/** Replaces `unknown` markers with the value the engine sends for a value it cannot know. */
function withUnknowns(v: unknown, unknown: symbol): unknown {
    if (v === unknown) return proxy.unknownStringValue;
    if (Array.isArray(v)) return v.map((x) => withUnknowns(x, unknown));
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withUnknowns(x, unknown)]));
    return v;
}

/** A subject whose props read like the engine's: an unknown value throws when touched. */
export function innerSubject(type: string, urn: string, name: string, props: Record<string, unknown>, unknown: symbol, parent?: string): Subject {
    return { type, urn, name, props: proxy.unknownCheckingProxy(withUnknowns(props, unknown)), parent, dependencies: [], propertyDependencies: {} };
}

/** Runs `rules` (resource rules on each matching subject, stack rules on them all) and collects their findings. */
export function runInside(rules: Rule[], subjects: Subject[], settings: Settings): InnerFinding[] {
    const findings: InnerFinding[] = [];
    const stack = makeStackView(subjects);
    for (const rule of rules) {
        const ctx = (subjectUrn?: string): RuleContext => ({
            settings,
            report: (message, urn) => findings.push({ rule, urn: urn ?? subjectUrn ?? "", message, level: rule.enforcementLevel, undecided: false }),
            advise: (message, urn) => findings.push({ rule, urn: urn ?? subjectUrn ?? "", message, level: "advisory", undecided: false }),
            undecided: (urn, what) => findings.push({ rule, urn, message: what, level: "advisory", undecided: true }),
        });
        if (rule.kind === "stack") {
            rule.check(stack, ctx());
            continue;
        }
        for (const s of subjects) {
            if (!rule.types.includes(s.type)) continue;
            const c = ctx(s.urn);
            try {
                rule.check(s, c);
            } catch (e) {
                if (!isUnknownError(e)) throw e;
                c.undecided(s.urn, e.message);
            }
        }
    }
    return findings;
}
