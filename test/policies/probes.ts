import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

/*
 * Policies that report, as JSON, everything @pulumi/policy's analyzer server gives a policy: run
 * beside the pack's own policies, they show whether two ways of building or serving a request
 * differ in anything a policy could read.
 */

/** A value as plain data; a value unknown during preview (the proxy throws on reading it) as "<unknown>". */
export function plain(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
        try {
            out[key] = plain((value as Record<string, unknown>)[key]);
        } catch {
            out[key] = "<unknown>";
        }
    }
    return Array.isArray(value) ? Object.values(out) : out;
}

type Described = Pick<PolicyResource, "type" | "urn" | "name" | "props" | "opts" | "provider">;

function described(r: Described) {
    return {
        type: r.type,
        urn: r.urn,
        name: r.name,
        props: plain(r.props),
        opts: plain(r.opts),
        provider: r.provider && { type: r.provider.type, urn: r.provider.urn, name: r.provider.name, props: plain(r.provider.props) },
    };
}

/** A stack policy that reports everything it is given about each resource. */
export function stackProbe(name: string): StackValidationPolicy {
    return {
        name,
        description: "Reports what a stack policy sees.",
        enforcementLevel: "advisory",
        validateStack: (args, report) => {
            const urns = (rs: PolicyResource[]) => rs.map((r) => r.urn);
            const seen = args.resources.map((r) => ({
                ...described(r),
                parent: r.parent?.urn,
                dependencies: urns(r.dependencies),
                propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, urns(v)])),
            }));
            report(JSON.stringify(seen));
        },
    };
}

/** A resource policy that reports everything it is given about the resource. */
export function resourceProbe(name: string): ResourceValidationPolicy {
    return {
        name,
        description: "Reports what a resource policy sees.",
        enforcementLevel: "advisory",
        validateResource: (args, report) => report(JSON.stringify(described(args))),
    };
}
