// First, as in the pack (policies/index.ts): its load-time patches of the Pulumi packages.
import "../../policies/lib/install-patches";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "./bdd";
import { packPolicies, toPolicy } from "../../policies/lib/pack";
import { Registry } from "../../policies/lib/registry";
import { RULE_VERBS, type Rule } from "../../policies/lib/rule";
import { SETTINGS_POLICY } from "../../policies/lib/settings";
import { registry } from "../../policies/rules";
import { loadRuleFixtures } from "./cases";

const RULES_DIR = path.join(__dirname, "..", "..", "policies", "rules");
const NAME = new RegExp(`^[a-z0-9]+(-[a-z0-9]+)+$`);
const ruleFixtures = loadRuleFixtures();

describe("rule metadata", () => {
    for (const rule of registry.all()) {
        describe(rule.name, () => {
            it("is named <provider>-<service>-<resource>-<verb>-<what>", () => {
                assert.match(rule.name, NAME);
                const prefix = `${rule.provider}-${rule.service}-${rule.resource}-`;
                assert.ok(rule.name.startsWith(prefix), `${rule.name} should start with ${prefix}`);
                const verb = rule.name.slice(prefix.length).split("-")[0];
                assert.ok((RULE_VERBS as readonly string[]).includes(verb ?? ""), `verb "${verb}" is not one of ${RULE_VERBS.join(", ")}`);
            });
            it("lives in rules/<provider>/<service>/<resource>-<verb>-<what>.ts", () => {
                const file = path.join(RULES_DIR, rule.provider, rule.service, `${rule.name.slice(`${rule.provider}-${rule.service}-`.length)}.ts`);
                assert.ok(fs.existsSync(file), `missing ${path.relative(RULES_DIR, file)}`);
            });
            it("has a one-sentence description, a severity, an enforcement level and a fix", () => {
                assert.match(rule.description, /^[A-Z][^\n]*\.$/);
                assert.doesNotMatch(rule.description.replace(/e\.g\./g, ""), /\.\s/, "one sentence only");
                assert.ok(["low", "medium", "high", "critical"].includes(rule.severity));
                assert.ok(["mandatory", "advisory"].includes(rule.enforcementLevel));
                assert.ok(rule.fix.length > 10);
            });
            it("has fixtures: a baseline and at least one violating case", () => {
                const fixtures = ruleFixtures.find((f) => f.rule === rule.name);
                assert.ok(fixtures, `no test/policies/fixtures/rules/${rule.name}/`);
                assert.ok(fixtures.cases.some((c) => c.case.expect.length > 0), "no violating case");
            });
        });
    }

    it("every fixture directory names a registered rule", () => {
        for (const f of ruleFixtures) assert.ok(registry.get(f.rule), f.rule);
    });

    it("the settings policy follows the naming scheme and runs first", () => {
        assert.match(SETTINGS_POLICY, NAME);
        const policies = packPolicies(registry.all());
        assert.equal(policies[0]?.name, SETTINGS_POLICY);
        assert.equal(new Set(policies.map((p) => p.name)).size, policies.length);
    });

    it("resource rules with a remediation only remediate their own types", () => {
        const remediating = registry.all().filter((r): r is Extract<Rule, { kind: "resource" }> => r.kind === "resource" && r.remediate !== undefined);
        assert.deepEqual(remediating.map((r) => r.name).sort(), [
            "aws-rds-instance-enable-multi-az",
            "gcp-sql-database-instance-configure-regional",
        ]);
        for (const r of remediating) assert.ok("remediateResource" in toPolicy(r));
    });
});

describe("registry", () => {
    it("rejects a duplicate name", () => {
        const rule = registry.all()[0] as Rule;
        assert.throws(() => new Registry().add(rule, rule), /duplicate rule name "aws-rds-instance-enable-multi-az"/);
    });
    it("selects by provider, service and severity", () => {
        assert.ok(registry.select({ provider: "kubernetes" }).every((r) => r.provider === "kubernetes"));
        assert.deepEqual(
            registry.select({ provider: "aws", service: "route53" }).map((r) => r.name),
            [
                "aws-route53-record-missing-health-check",
                "aws-route53-record-missing-secondary",
                "aws-route53-record-configure-health-check-endpoint",
                "aws-route53-health-check-configure-listener",
                "aws-route53-health-check-configure-rto",
            ],
        );
        assert.deepEqual(registry.select({ severity: "medium" }).map((r) => r.name), [
            "kubernetes-core-container-configure-distinct-probes",
            "kubernetes-core-service-configure-tls-policy",
            "kubernetes-policy-pdb-disallow-zero-disruption",
            "stack-observability-workload-missing-scrape-target",
            "aws-rds-database-enable-deletion-protection",
            "aws-lb-load-balancer-enable-cross-zone",
        ]);
    });
});
