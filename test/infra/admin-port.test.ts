import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ADMIN_PORT, METRICS_PORT_NAME } from "../../app/src/contract";
import { planStack } from "../../infra/plan";
import { scrapeTargets } from "../../infra/observability/scrape";
import { envOf, Resources, unsecret } from "./harness";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider payloads are untyped

describe("the admin port and the API keys in the prod stack", () => {
    const planned = planStack("prod").then((p) => new Resources(p.resources));

    test("every workload the service's scrape targets select declares the admin port under the scraped name, listening on all interfaces", async () => {
        const r = await planned;
        const selectors = scrapeTargets({}).filter((t) => t.port === METRICS_PORT_NAME).map((t) => t.selector);
        assert.equal(selectors.length, 2, "the service and its followers");
        for (const cluster of ["eks", "gke"] as const) {
            const deployments = r.onCluster("kubernetes:apps/v1:Deployment", cluster).map((d) => d.inputs as Inputs);
            for (const selector of selectors) {
                const d = deployments.find((x) => Object.entries(selector).every(([k, v]) => x.spec.template.metadata.labels[k] === v));
                assert.ok(d, `${cluster}: a Deployment for ${JSON.stringify(selector)}`);
                const c = d.spec.template.spec.containers[0];
                assert.ok(c.ports.some((p: Inputs) => p.name === METRICS_PORT_NAME && p.containerPort === ADMIN_PORT), `${cluster} ${d.metadata.name}`);
                assert.equal(envOf(c).ADMIN_PORT, String(ADMIN_PORT));
                assert.equal(envOf(c).HOST, "0.0.0.0");
            }
        }
    });

    test("no Service of the stack reaches the admin port, and the service's NetworkPolicy admits only the metrics collection to it", async () => {
        const r = await planned;
        for (const svc of r.inputsOf("kubernetes:core/v1:Service")) {
            for (const p of svc.spec.ports) assert.ok(p.targetPort !== METRICS_PORT_NAME && p.targetPort !== ADMIN_PORT && p.port !== ADMIN_PORT, `${svc.metadata.name}`);
        }
        const policies = r.inputsOf("kubernetes:networking.k8s.io/v1:NetworkPolicy").filter((p) => p.metadata.name === "langchain-ha");
        assert.equal(policies.length, 2);
        const adminRules = policies.map((p) => p.spec.ingress.filter((rule: Inputs) => rule.ports.some((port: Inputs) => port.port === ADMIN_PORT)));
        assert.deepEqual(adminRules.map((rules) => rules.map((rule: Inputs) => rule.from)), [
            [[{ ipBlock: { cidr: "10.20.0.0/16" } }]],
            [[{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gmp-system" } } }]],
        ]);
    });

    test("the service's Secret holds API_KEYS as hashes of the read and write stack secrets", async () => {
        const r = await planned;
        const secrets = r.inputsOf("kubernetes:core/v1:Secret").filter((s) => s.metadata.name === "langchain-ha-secrets");
        assert.equal(secrets.length, 2);
        // plan stands in `<secret langchain-ha:KEY>` for every secret it cannot decrypt.
        const sha = (k: string) => createHash("sha256").update(`<secret langchain-ha:${k}>`).digest("hex");
        for (const s of secrets) {
            const apiKeys = unsecret<Record<string, string>>(unsecret(s.stringData)).API_KEYS;
            assert.deepEqual(apiKeys.split(",").map((e) => e.split(":").slice(1).join(":")), [`read:${sha("apiKeysRead")}`, `write:${sha("apiKeysWrite")}`]);
            assert.doesNotMatch(apiKeys, /<secret/);
        }
    });
});
