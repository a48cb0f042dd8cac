import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { selectorMatches, serviceSelects } from "../../policies/lib/kubernetes";

const pod = { "app.kubernetes.io/name": "app", tier: "api" };

describe("label selectors", () => {
    it("matchLabels needs every pair", () => {
        assert.equal(selectorMatches({ matchLabels: { "app.kubernetes.io/name": "app" } }, pod), true);
        assert.equal(selectorMatches({ matchLabels: { "app.kubernetes.io/name": "app", tier: "db" } }, pod), false);
    });
    it("matchExpressions In, NotIn, Exists, DoesNotExist", () => {
        const expr = (operator: string, values?: string[], key = "tier") => ({ matchExpressions: [{ key, operator, values }] });
        assert.equal(selectorMatches(expr("In", ["api", "web"]), pod), true);
        assert.equal(selectorMatches(expr("In", ["web"]), pod), false);
        assert.equal(selectorMatches(expr("NotIn", ["api"]), pod), false);
        assert.equal(selectorMatches(expr("NotIn", ["web"]), pod), true);
        assert.equal(selectorMatches(expr("Exists"), pod), true);
        assert.equal(selectorMatches(expr("Exists", undefined, "zone"), pod), false);
        assert.equal(selectorMatches(expr("DoesNotExist", undefined, "zone"), pod), true);
        assert.equal(selectorMatches(expr("Bogus"), pod), false);
    });
    it("labels and expressions must both hold", () => {
        assert.equal(selectorMatches({ matchLabels: { tier: "api" }, matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["x"] }] }, pod), false);
    });
    it("an empty selector selects everything, an absent one nothing", () => {
        assert.equal(selectorMatches({}, pod), true);
        assert.equal(selectorMatches(undefined, pod), false);
    });
    it("a Service's empty selector selects no pods", () => {
        assert.equal(serviceSelects({}, pod), false);
        assert.equal(serviceSelects({ tier: "api" }, pod), true);
    });
});
