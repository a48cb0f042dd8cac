import assert from "node:assert/strict";
import { it } from "node:test";
import { UNKNOWN_VALUE } from "../../policies/check/requests";
import { registry } from "../../policies/rules";
import { analyzeExported } from "./harness";
import { plannedExport } from "./planned";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const isSecret = (v: unknown) => v !== null && typeof v === "object" && SECRET_SIG_KEY in v;

/** Every leaf value unknown, as in a preview where nothing is known yet. */
function allUnknown(v: unknown): unknown {
    if (Array.isArray(v) || isSecret(v)) return UNKNOWN_VALUE;
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, allUnknown(x)]));
    return UNKNOWN_VALUE;
}

/** The top-level values unknown, keeping the object shape one level down. */
function shallowUnknown(v: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.keys(v).map((k) => [k, UNKNOWN_VALUE]));
}

for (const [label, map] of [
    ["every leaf value", (p: Record<string, unknown>) => allUnknown(p) as Record<string, unknown>],
    ["every top-level value", shallowUnknown],
] as const) {
    it(`no rule crashes when ${label} of the prod stack is unknown; undecided rules say so as advisory`, async () => {
        const prod = (await plannedExport("prod")).deployment.resources;
        const findings = await analyzeExported(registry.all(), prod.map((r) => ({ ...r, inputs: map(r.inputs), outputs: map(r.outputs) })));
        assert.deepEqual(findings.filter((f) => f.message.startsWith("can't run policy")), [], "a rule let an unknown value escape");
        assert.deepEqual(findings.filter((f) => f.level === "mandatory").map((f) => `${f.policy}: ${f.message}`), []);
        assert.ok(findings.some((f) => f.message.startsWith("Cannot decide")));
    });
}
