import type {
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { deserializeOncePerRequest } from "./deserialize-once";
import type { Enforcement, ResourceRule, Rule, RuleContext, StackRule, StackView, Subject } from "./rule";
import {
    activeSettings,
    DEFAULT_SETTINGS,
    findExemption,
    isExpired,
    parseSettings,
    setActiveSettings,
    SETTINGS_POLICY,
    settingsJsonSchema,
    urnName,
    type Settings,
} from "./settings";
import { makeStackView, STACK_TYPE } from "./stack";
import { isUnknownError } from "./values";

interface Violation {
    message: string;
    urn?: string;
    enforcementLevel?: Enforcement;
}

// @pulumi/policy's server accepts a violation object (message, urn, enforcementLevel) as well as
// a string, but its typings declare only the string form.
function objectReporter(report: ReportViolation): (v: Violation) => void {
    return report as unknown as (v: Violation) => void;
}

function makeContext(rule: Rule, settings: Settings, report: ReportViolation, subjectUrn?: string): RuleContext {
    const emit = objectReporter(report);
    const exempt = (urn: string) => findExemption(settings, rule.name, urn) !== undefined;
    return {
        settings,
        report(message, urn) {
            const target = urn ?? subjectUrn;
            if (target !== undefined && exempt(target)) {
                return;
            }
            emit({ message, urn: target });
        },
        advise(message, urn) {
            const target = urn ?? subjectUrn;
            if (target !== undefined && exempt(target)) {
                return;
            }
            emit({ message, urn: target, enforcementLevel: "advisory" });
        },
        undecided(urn, what) {
            if (exempt(urn)) {
                return;
            }
            emit({
                message: `Cannot decide ${rule.name} for "${urnName(urn)}" during preview: ${what}.`,
                urn,
                enforcementLevel: "advisory",
            });
        },
    };
}

export function subjectOf(r: PolicyResource | ResourceValidationArgs): Subject {
    const isStackResource = "dependencies" in r;
    return {
        type: r.type,
        urn: r.urn,
        name: r.name,
        props: r.props as Record<string, unknown>,
        provider: r.provider?.urn,
        parent: isStackResource ? r.parent?.urn : r.opts.parent,
        dependencies: isStackResource ? r.dependencies.map((d) => d.urn) : [],
        propertyDependencies: isStackResource
            ? Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map((d) => d.urn)]))
            : {},
    };
}

/**
 * Tags a single-type rule's function with its type token, as @pulumi/policy's typed helpers do:
 * the server then skips the policy for other types before deserializing the properties.
 */
function typed<F extends object>(rule: ResourceRule, fn: F): F {
    return rule.types.length === 1 ? Object.assign(fn, { __pulumiType: rule.types[0] }) : fn;
}

function resourcePolicy(rule: ResourceRule): ResourceValidationPolicy {
    const policy: ResourceValidationPolicy = {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        severity: rule.severity,
        validateResource: typed(rule, (args: ResourceValidationArgs, report: ReportViolation) => {
            if (!rule.types.includes(args.type)) {
                return;
            }
            const subject = subjectOf(args);
            const ctx = makeContext(rule, activeSettings(), report, subject.urn);
            try {
                rule.check(subject, ctx);
            } catch (e) {
                if (!isUnknownError(e)) {
                    throw e;
                }
                ctx.undecided(subject.urn, e.message);
            }
        }),
    };
    const remediate = rule.remediate;
    if (remediate) {
        policy.remediateResource = typed(rule, (args: ResourceValidationArgs) => {
            if (!rule.types.includes(args.type) || findExemption(activeSettings(), rule.name, args.urn)) {
                return undefined;
            }
            return remediate(args.props as Record<string, unknown>, subjectOf(args));
        });
    }
    return policy;
}

/**
 * Each resource's inputs as the engine sent them to Analyze in this run, by URN. During a
 * preview the engine cannot know the outputs of a resource whose provider is not configured
 * yet (a Kubernetes provider whose kubeconfig comes from a cluster still to be created): it
 * sends such a resource to AnalyzeStack with no properties at all. Its declared inputs are
 * then the best knowledge there is, and far better than reading a missing `spec.replicas` as
 * Kubernetes' default of one.
 */
const declaredInputs = new Map<string, Record<string, unknown>>();

/** Records what Analyze saw; called for every resource, by the settings policy. */
export function recordDeclared(urn: string, props: Record<string, unknown>): void {
    declaredInputs.set(urn, props);
}

/** A stack resource, with its declared inputs standing in for outputs the engine sent none of. */
export function stackSubjectOf(r: PolicyResource): Subject {
    const subject = subjectOf(r);
    if (Object.keys(subject.props).length === 0) {
        const declared = declaredInputs.get(subject.urn);
        if (declared) return { ...subject, props: declared };
    }
    return subject;
}

/** The target of @pulumi/policy's unknown-checking proxy (the deserialized properties), for identity. */
function proxyTarget(props: unknown): unknown {
    return (props as Record<string, unknown> | undefined)?.["__getSpecialProxyTarget"] ?? props;
}

// One view of the stack per AnalyzeStack request, shared by every stack rule: the deserialized
// properties are the same objects for every policy of a request (see deserialize-once.ts), so
// the first resource's properties identify the request.
const views = new WeakMap<object, { count: number; view: StackView }>();

function stackViewOf(args: StackValidationArgs): StackView {
    const first = args.resources[0];
    const key = first === undefined ? undefined : proxyTarget(first.props);
    const cached = key !== null && typeof key === "object" ? views.get(key) : undefined;
    if (cached && cached.count === args.resources.length) return cached.view;
    const view = makeStackView(args.resources.map(stackSubjectOf));
    if (key !== null && typeof key === "object") views.set(key, { count: args.resources.length, view });
    return view;
}

function stackPolicy(rule: StackRule): StackValidationPolicy {
    return {
        name: rule.name,
        description: rule.description,
        enforcementLevel: rule.enforcementLevel,
        severity: rule.severity,
        validateStack: Object.assign(
            (args: StackValidationArgs, report: ReportViolation) => {
                const stack = stackViewOf(args);
                rule.check(stack, makeContext(rule, activeSettings(), report, stack.stack?.urn));
            },
            rule.requires ? { __pulumiType: rule.requires } : {},
        ),
    };
}

export function toPolicy(rule: Rule): Policy {
    return rule.kind === "resource" ? resourcePolicy(rule) : stackPolicy(rule);
}

export const SETTINGS_DESCRIPTION =
    "Holds the pack-wide thresholds and exemptions, and reports an invalid setting or an expired exemption.";

function shallowEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/**
 * The settings policy comes first in the pack, so it runs first in every Analyze and
 * AnalyzeStack call: it loads its config (thresholds, exemptions) for all rules, and at stack
 * level reports an invalid config or an expired exemption.
 */
export function settingsPolicy(ruleNames: string[], now: () => Date = () => new Date()): Policy {
    let lastRaw = "";
    let lastObject: Record<string, unknown> | undefined;
    let last: ReturnType<typeof parseSettings> = { ok: true, settings: DEFAULT_SETTINGS };
    const load = (raw: Record<string, unknown>) => {
        // The server hands out a shallow copy of the same config until the next Configure: parse it once.
        if (lastObject !== undefined && shallowEqual(raw, lastObject)) {
            setActiveSettings(last.ok ? last.settings : DEFAULT_SETTINGS);
            return last;
        }
        lastObject = raw;
        const key = JSON.stringify(raw);
        if (key !== lastRaw) {
            lastRaw = key;
            last = parseSettings(raw);
            if (last.ok) {
                const unknown = last.settings.exemptions.find((e) => !ruleNames.includes(e.policy));
                if (unknown) {
                    last = { ok: false, error: `exemptions: unknown policy "${unknown.policy}"` };
                }
            }
        }
        setActiveSettings(last.ok ? last.settings : DEFAULT_SETTINGS);
        return last;
    };
    const policy: ResourceValidationPolicy & Pick<StackValidationPolicy, "validateStack"> = {
        name: SETTINGS_POLICY,
        description: SETTINGS_DESCRIPTION,
        enforcementLevel: "mandatory",
        severity: "high",
        configSchema: { properties: settingsJsonSchema(ruleNames) },
        validateResource: (args) => {
            load(args.getConfig());
            recordDeclared(args.urn, args.props as Record<string, unknown>);
        },
        validateStack: (args, report) => {
            const loaded = load(args.getConfig());
            const emit = objectReporter(report);
            const stackUrn = args.resources.find((r) => r.type === STACK_TYPE)?.urn;
            if (!loaded.ok) {
                emit({ message: `The policy pack config is invalid (${loaded.error}); fix ${SETTINGS_POLICY} in the --policy-pack-config file.`, urn: stackUrn });
                return;
            }
            for (const e of loaded.settings.exemptions) {
                if (!isExpired(e, now())) {
                    continue;
                }
                const target = args.resources.find((r) => r.urn === e.resource || r.name === e.resource)?.urn ?? stackUrn;
                emit({
                    message: `The exemption from ${e.policy} for "${e.resource}" expired on ${e.expires} (reason given: ${e.reason}); fix the resource or renew the exemption's expires date.`,
                    urn: target,
                });
            }
        },
    };
    return policy as Policy;
}

/** The pack's policies: the settings policy first, then every rule. */
export function packPolicies(rules: Rule[]): Policy[] {
    deserializeOncePerRequest();
    return [settingsPolicy(rules.map((r) => r.name)), ...rules.map(toPolicy)];
}
