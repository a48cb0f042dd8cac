import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ConfigError, resolveConfig } from "../../infra/config";
import { observabilitySpec } from "../../infra/observability";

const minimal = {
    environment: "prod",
    gcp: { project: "acme-rag-dr" },
    dns: { hostedZoneId: "Z0123456789ABC", zoneName: "example.com", domain: "rag.example.com" },
};

function problemsOf(raw: Record<string, unknown>): string {
    try {
        resolveConfig("prod", raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
        return err.message;
    }
    assert.fail("config was accepted");
}

describe("the slo section of a stack", () => {
    test("defaults to 99.99 % availability and 99 % within 2 s on /v1/ask over 30 days", () => {
        const spec = observabilitySpec(resolveConfig("prod", minimal));
        assert.deepEqual(spec.slos.map((s) => [s.name, s.objective, s.windowDays, s.sli]), [
            ["availability", 0.9999, 30, { kind: "availability", routes: ["/v1/ask"] }],
            ["latency", 0.99, 30, { kind: "latency", routes: ["/v1/ask"], thresholdSeconds: 2 }],
        ]);
        assert.equal(spec.limits.rpoSeconds, 3600);
        assert.equal(spec.limits.qdrantPeers, 3);
    });

    const cases: [string, Record<string, unknown>, string][] = [
        ["an objective of 100 %", { slo: { availability: { objectivePercent: 100 } } }, "langchain-ha:slo.availability.objectivePercent Too big"],
        ["a latency threshold that is no histogram bucket", { slo: { latency: { thresholdSeconds: 3 } } }, "langchain-ha:slo.latency.thresholdSeconds must be a latency bucket of the service: one of 0.001,"],
        ["a route without a leading slash", { slo: { availability: { routes: ["v1/ask"] } } }, "langchain-ha:slo.availability.routes[0] must be a route path such as /v1/ask"],
        ["no route", { slo: { latency: { routes: [] } } }, "langchain-ha:slo.latency.routes Too small"],
        ["a misspelt key", { slo: { availabilty: {} } }, "langchain-ha:slo.availabilty is not a known setting"],
        ["a one-day window", { slo: { windowDays: 1 } }, "langchain-ha:slo.windowDays Too small"],
    ];
    for (const [what, extra, expected] of cases) {
        test(`rejects ${what}, naming the key and the stack file`, () => {
            const message = problemsOf({ ...minimal, ...extra });
            assert.ok(message.startsWith("stacks/Pulumi.prod.yaml: "), message);
            assert.ok(message.includes(expected), `${message}\n  should include: ${expected}`);
        });
    }
});
