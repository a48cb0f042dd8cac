import { resolveConfig } from "../../infra/config";
import { stackConfig } from "../../infra/observability/docs";
import { observabilitySpec, type ObservabilitySpec } from "../../infra/observability";
import { listStacks } from "../../infra/plan";

export function stackSpec(stack: string): ObservabilitySpec {
    return observabilitySpec(stackConfig(stack));
}

export const STACKS = listStacks();

/** A minimal valid config with `slo` overrides, for scenarios that need a given objective. */
export function specWith(slo: Record<string, unknown>, dr: Record<string, unknown> = {}): ObservabilitySpec {
    return observabilitySpec(resolveConfig("prod", {
        environment: "prod",
        aws: { eks: { adminPrincipalArns: ["arn:aws:iam::123456789012:role/ci-deploy"] } },
        gcp: { project: "acme-rag-dr" },
        dns: { hostedZoneId: "Z0123456789ABC", zoneName: "example.com", domain: "rag.example.com" },
        dr,
        slo,
    }));
}
