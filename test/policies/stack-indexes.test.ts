import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { K8S, sameScope, scopeKey } from "../../policies/lib/kubernetes";
import { stackRule, type StackView, type Subject } from "../../policies/lib/rule";
import { analyze, type FixtureResource } from "./harness";

const PROVIDER = "pulumi:providers:kubernetes";

/** The scan that `sameScope` replaces: every Deployment of the stack, for each Service. */
function scan(stack: StackView, svc: Subject): Subject[] {
    return stack.ofType(K8S.deployment).filter((d) => scopeKey(d, stack) === scopeKey(svc, stack));
}

function indexed(stack: StackView, svc: Subject): Subject[] {
    return [...sameScope(stack, [K8S.deployment], svc)];
}

/** Reports, for each Service, the Deployments of its scope as `read` finds them ("how svc: d1,d2"). */
function probe(how: string, read: (stack: StackView, svc: Subject) => Subject[]) {
    return stackRule({
        name: `test-${how}`,
        description: "Lists the Deployments of each Service's scope.",
        severity: "low",
        enforcementLevel: "advisory",
        provider: "kubernetes",
        service: "core",
        resource: "service",
        fix: "Nothing.",
        check(stack, ctx) {
            stack.each(stack.ofType(K8S.service), ctx, (svc) => ctx.report(`${svc.name}: ${read(stack, svc).map((d) => d.name).join(",")}`, svc.urn));
        },
    });
}

const k8s = (type: string, name: string, provider: string, namespace: unknown): FixtureResource => ({
    type,
    name,
    provider,
    props: { metadata: { name, namespace } },
});

const providers: FixtureResource[] = [
    { type: PROVIDER, name: "east", props: {} },
    { type: PROVIDER, name: "west", props: {} },
];
const services = [k8s(K8S.service, "svc-east-a", "east", "a"), k8s(K8S.service, "svc-west-a", "west", "a"), k8s(K8S.service, "svc-east-c", "east", "c")];

/** What each probe said, with the probe's own name taken out so that both can be compared. */
async function answers(resources: FixtureResource[]): Promise<{ scan: string[]; indexed: string[] }> {
    const findings = await analyze([probe("scan", scan), probe("indexed", indexed)], resources);
    const of = (policy: string) => findings.filter((f) => f.policy === policy).map((f) => f.message.replace(policy, "<probe>"));
    return { scan: of("test-scan"), indexed: of("test-indexed") };
}

describe("objects of a scope, read through the per-stack index", () => {
    it("finds the objects of the same provider and namespace, in stack order", async () => {
        const got = await answers([
            ...providers,
            k8s(K8S.deployment, "d-east-a-1", "east", "a"),
            k8s(K8S.deployment, "d-west-a", "west", "a"),
            k8s(K8S.deployment, "d-east-b", "east", "b"),
            k8s(K8S.deployment, "d-east-a-2", "east", "a"),
            ...services,
        ]);
        assert.deepEqual(got.indexed, ["svc-east-a: d-east-a-1,d-east-a-2", "svc-west-a: d-west-a", "svc-east-c: "]);
        assert.deepEqual(got.indexed, got.scan);
    });

    it("stops where the scan would, at an object whose namespace is unknown in preview, with the same error", async () => {
        for (const order of [
            ["d-east-a-1", "d-unknown", "d-east-a-2"],
            ["d-unknown", "d-east-a-1", "d-east-a-2"],
            ["d-east-a-1", "d-east-a-2", "d-unknown"],
        ]) {
            const deployments = order.map((n) => k8s(K8S.deployment, n, "east", n === "d-unknown" ? "<unknown>" : "a"));
            const got = await answers([...providers, ...deployments, ...services]);
            assert.deepEqual(got.indexed, got.scan, order.join(" "));
            assert.ok(got.indexed.some((m) => m.startsWith(`Cannot decide <probe> for "svc-east-a"`)), order.join(" "));
        }
    });
});
