import type { Settings } from "./settings";

export type Severity = "low" | "medium" | "high" | "critical";
export type Enforcement = "advisory" | "mandatory";
export type RuleProvider = "aws" | "gcp" | "kubernetes" | "stack" | "pack";

/** The fixed verbs of rule names: `<provider>-<service>-<resource>-<verb>-<what>`. */
export const RULE_VERBS = ["missing", "disallow", "enable", "configure", "enforce"] as const;

/** Everything about a rule except its logic: kept in one place, checked by the meta-test. */
export interface RuleMeta {
    name: string;
    /** One sentence. */
    description: string;
    severity: Severity;
    /** Mandatory for a true single point of failure, advisory for a weakness. */
    enforcementLevel: Enforcement;
    provider: RuleProvider;
    service: string;
    /** Resource kind, the third name segment. */
    resource: string;
    /** How to fix it, for the docs. */
    fix: string;
}

/** One resource as a rule sees it: engine properties (inputs for Analyze, outputs for AnalyzeStack). */
export interface Subject {
    type: string;
    urn: string;
    name: string;
    props: Record<string, unknown>;
    /** URN of the resource's provider, when known. */
    provider?: string;
    parent?: string;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
}

export interface RuleContext {
    settings: Settings;
    /** Reports a violation at the rule's enforcement level; `urn` defaults to the subject (resource rules). */
    report(message: string, urn?: string): void;
    /** Says, as advisory, that the rule cannot decide for `urn` because a value is unknown. */
    undecided(urn: string, what: string): void;
    /**
     * Reports at advisory level whatever the rule's level (a weakness found by a mandatory rule,
     * or what cannot be seen inside an opaque resource); `urn` defaults to the subject.
     */
    advise(message: string, urn?: string): void;
}

export interface ResourceRule extends RuleMeta {
    kind: "resource";
    /** Resource type tokens the rule applies to. */
    types: readonly string[];
    check(subject: Subject, ctx: RuleContext): void;
    /** A safe, unambiguous fix of the inputs; undefined when nothing to change. */
    remediate?(props: Record<string, unknown>, subject: Subject): Record<string, unknown> | undefined;
}

export interface StackRule extends RuleMeta {
    kind: "stack";
    /**
     * A type without which the rule has nothing to judge: the server then skips the rule, before
     * deserializing the stack, when no resource has it.
     */
    requires?: string;
    check(stack: StackView, ctx: RuleContext): void;
}

export type Rule = ResourceRule | StackRule;

/** The whole stack for stack rules, with indexes built once per analysis. */
export interface StackView {
    resources: Subject[];
    ofType(...types: string[]): Subject[];
    byUrn(urn: string): Subject | undefined;
    /** The pulumi:pulumi:Stack resource, if present. */
    stack: Subject | undefined;
    /**
     * Runs `fn` for each subject; an unknown value stops only that subject and is reported as
     * undecided on it. Returns false when any subject was undecided.
     */
    each(subjects: Subject[], ctx: RuleContext, fn: (s: Subject) => void): boolean;
}

export function resourceRule(rule: Omit<ResourceRule, "kind">): ResourceRule {
    return { kind: "resource", ...rule };
}

export function stackRule(rule: Omit<StackRule, "kind">): StackRule {
    return { kind: "stack", ...rule };
}
