import { parseTemplateBody, TEMPLATE_UNKNOWN, translateTemplate, type TemplateResource } from "../../../lib/cloudformation";
import { innerSubject, runInside } from "../../../lib/inside";
import { resourceRule, type ResourceRule, type Rule } from "../../../lib/rule";
import { asRecord, get, has, tryGet, UNKNOWN } from "../../../lib/values";

const NAME = "aws-cloudformation-stack-enforce-pack-rules";

/** `message` with the Pulumi property names of `r` replaced by the template's own. */
function inTemplateTerms(message: string, r: TemplateResource | undefined): string {
    let out = message;
    for (const [pulumiName, cfnName] of Object.entries(r?.names ?? {})) {
        if (pulumiName !== cfnName) out = out.replace(new RegExp(`\\b${pulumiName}\\b(?=[:.\\s,;)]|$)`, "g"), cfnName);
    }
    return out;
}

/** The stack's parameters as the template reads them: unknown ones stay unknown. */
function parametersOf(props: Record<string, unknown>): Record<string, unknown> {
    const raw = tryGet(props, "parameters");
    if (raw === UNKNOWN) return {};
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(asRecord(raw))) {
        const v = tryGet(raw, key);
        out[key] = v === UNKNOWN ? TEMPLATE_UNKNOWN : v;
    }
    return out;
}

/**
 * Judges the resources of a CloudFormation stack's template by the pack's AWS rules. `rules`
 * is called when a stack is checked, so the rule can be registered with the pack it draws on.
 */
export function awsCloudformationStackEnforcePackRules(rules: () => Rule[]): ResourceRule {
    return resourceRule({
        name: NAME,
        description: "A CloudFormation stack is judged by the pack's AWS rules on the resources of its template, and is reported as undecided when its template cannot be read.",
        severity: "critical",
        enforcementLevel: "mandatory",
        provider: "aws",
        service: "cloudformation",
        resource: "stack",
        fix: "Fix the template resource the message names, with the CloudFormation property it names; pass the template as `templateBody` (not `templateUrl`), so that the pack can read it.",
        types: ["aws:cloudformation/stack:Stack", "aws:cloudformation/stackSet:StackSet"],
        check(r, ctx) {
            const what = `CloudFormation ${r.type.endsWith("StackSet") ? "stack set" : "stack"} "${r.name}"`;
            const undecided = (why: string) => ctx.advise(`Cannot decide ${NAME} for "${r.name}": ${why}, so single points of failure it declares are not seen.`);
            if (!has(r.props, "templateBody")) {
                undecided(has(r.props, "templateUrl") ? "its template is at templateUrl, which the pack does not fetch; pass it as templateBody" : "it has no templateBody");
                return;
            }
            const body = get(r.props, "templateBody");
            let parsed;
            try {
                parsed = translateTemplate(parseTemplateBody(String(body)), parametersOf(r.props));
            } catch (e) {
                undecided(`its templateBody is neither JSON nor YAML (${(e instanceof Error ? e.message.split("\n")[0] ?? "" : String(e)).replace(/:$/, "")})`);
                return;
            }
            for (const o of parsed.opaque) undecided(`its template resource ${o.logicalId} (${o.cfnType}) deploys a template the pack cannot read`);
            const parts = r.urn.split("::");
            const byUrn = new Map<string, TemplateResource>();
            const subjects = parsed.resources.map((t) => {
                const urn = `${parts[0]}::${parts[1]}::${parts[2]}$${t.type}::${r.name}/${t.logicalId}`;
                byUrn.set(urn, t);
                return innerSubject(t.type, urn, t.logicalId, t.props, TEMPLATE_UNKNOWN, r.urn);
            });
            const inner = rules().filter((x) => x.provider === "aws" && x.name !== NAME);
            const seen = new Set<string>();
            for (const f of runInside(inner, subjects, ctx.settings)) {
                const t = byUrn.get(f.urn);
                const where = t ? `resource ${t.logicalId} (${t.cfnType}) of its template` : "its template";
                const message = f.undecided
                    ? `Cannot decide ${f.rule.name} for ${where} in ${what}: ${f.message.replace(/can't be known during preview/g, "is not known from the template alone")}.`
                    : `${what}, ${where}: ${inTemplateTerms(f.message, t)} (${f.rule.name})`;
                if (seen.has(message)) continue;
                seen.add(message);
                if (f.level === "mandatory") ctx.report(message);
                else ctx.advise(message);
            }
        },
    });
}
