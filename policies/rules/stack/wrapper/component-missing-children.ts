import { stackRule } from "../../../lib/rule";

/**
 * Packages whose resources the pack reads one by one (or knows hold no serving capacity). A
 * provider-backed resource of any other package with no child in the stack may be a remote
 * component whose children the engine never sees.
 */
const KNOWN_PACKAGES = new Set(["aws", "gcp", "kubernetes", "pulumi", "random", "tls"]);

/** Resources of known packages that deploy things the engine never sees, and what they hide. */
const OPAQUE_TYPES: Record<string, string> = {
    "gcp:deploymentmanager/deployment:Deployment": "a Deployment Manager configuration",
    "aws:servicecatalog/provisionedProduct:ProvisionedProduct": "a Service Catalog product's template",
    "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": "a Serverless Application Repository template",
};

const NAME = "stack-wrapper-component-missing-children";

export const stackWrapperComponentMissingChildren = stackRule({
    name: NAME,
    description: "A remote component or wrapper whose children the engine never sees is reported as undecided, so that what it deploys does not pass unchecked.",
    severity: "high",
    enforcementLevel: "advisory",
    provider: "stack",
    service: "wrapper",
    resource: "component",
    fix: "Declare what the component deploys as resources of the program (or use a component that registers its children, such as `helm.v4.Chart` or `awsx`), or exempt the resource with a reason once its contents are known to be free of single points of failure.",
    check(stack, ctx) {
        const parents = new Set(stack.resources.map((r) => r.parent).filter((p): p is string => p !== undefined));
        for (const r of stack.resources) {
            const pkg = r.type.split(":")[0] ?? "";
            const opaque = OPAQUE_TYPES[r.type];
            if (opaque !== undefined) {
                ctx.advise(`Cannot decide ${NAME} for "${r.name}": it deploys ${opaque}, which the engine never sees, so single points of failure in it pass unchecked; declare those resources in the program or exempt "${r.name}" with a reason.`, r.urn);
            } else if (!KNOWN_PACKAGES.has(pkg) && r.provider !== undefined && !parents.has(r.urn)) {
                ctx.advise(
                    `Cannot decide ${NAME} for "${r.name}": its type ${r.type} belongs to package "${pkg}", which the pack has no rules for, and none of its children reach the engine, so whatever it deploys is not checked; declare its resources in the program or exempt "${r.name}" with a reason.`,
                    r.urn,
                );
            }
        }
    },
});
