// First, as in the pack (policies/index.ts): its load-time patches of the Pulumi packages.
import "../../policies/lib/install-patches";
import assert from "node:assert/strict";
import { describe, it } from "./bdd";
import { registry } from "../../policies/rules";
import { urnName } from "../../policies/lib/settings";
import type { Finding } from "../../policies/check/requests";
import { applyCase, caseSettings, loadRuleFixtures } from "./cases";
import { analyze } from "./harness";

function reported(findings: Finding[], rule: string) {
    return findings
        .filter((f) => f.policy === rule)
        .map((f) => ({ resource: urnName(f.urn), level: f.level, message: f.message }))
        .sort((a, b) => a.resource.localeCompare(b.resource) || a.message.localeCompare(b.message));
}

for (const fixtures of loadRuleFixtures()) {
    const rule = registry.get(fixtures.rule);
    describe(fixtures.rule, () => {
        it("has a rule in the registry", () => assert.ok(rule, `no rule named ${fixtures.rule}`));
        if (!rule) return;
        it("baseline.json: a compliant baseline passes", async () => {
            assert.deepEqual(reported(await analyze([rule], fixtures.baseline), rule.name), []);
        });
        for (const { file, case: c } of fixtures.cases) {
            it(`${file}: ${c.shows}`, async () => {
                const findings = await analyze([rule], applyCase(fixtures.baseline, c), caseSettings(c));
                const expected = [...c.expect].sort((a, b) => a.resource.localeCompare(b.resource) || a.message.localeCompare(b.message));
                assert.deepEqual(reported(findings, rule.name), expected);
            });
        }
    });
}
