import { resolveConfig, type StackConfig } from "../../infra/config";
import { observabilitySpec, type ObservabilitySpec } from "../../infra/observability";
import { listStacks, readStackFile } from "../../infra/plan";

/** A stack's validated config, read from its stack file as the program would. */
export function stackConfig(stack: string): StackConfig {
    const { values } = readStackFile(stack);
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
        const short = key.slice(key.indexOf(":") + 1);
        raw[short] = short === "environment" ? value : JSON.parse(value);
    }
    return resolveConfig(stack, raw);
}

export function stackSpec(stack: string): ObservabilitySpec {
    return observabilitySpec(stackConfig(stack));
}

export const STACKS = listStacks();

/** A minimal valid config with `slo` overrides, for scenarios that need a given objective. */
export function specWith(slo: Record<string, unknown>, dr: Record<string, unknown> = {}): ObservabilitySpec {
    return observabilitySpec(resolveConfig("prod", {
        environment: "prod",
        gcp: { project: "acme-rag-dr" },
        dns: { hostedZoneId: "Z0123456789ABC", zoneName: "example.com", domain: "rag.example.com" },
        dr,
        slo,
    }));
}
