import assert from "node:assert/strict";
import { it } from "node:test";
import type { ExportedResource } from "../../infra/plan";
import { registry } from "../../policies/rules";
import { analyze, type FixtureResource } from "./harness";
import { plannedExport } from "./planned";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const isSecret = (v: unknown) => v !== null && typeof v === "object" && SECRET_SIG_KEY in v;

/** Every leaf value unknown, as in a preview where nothing is known yet. */
function allUnknown(v: unknown): unknown {
    if (Array.isArray(v) || isSecret(v)) return "<unknown>";
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, allUnknown(x)]));
    return "<unknown>";
}

/** The top-level values unknown, keeping the object shape one level down. */
function shallowUnknown(v: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.keys(v).map((k) => [k, "<unknown>"]));
}

function asFixtures(prod: ExportedResource[], map: (props: Record<string, unknown>) => Record<string, unknown>): FixtureResource[] {
    return prod.map((r) => ({
        type: r.type,
        name: r.urn.slice(r.urn.lastIndexOf("::") + 2),
        urn: r.urn,
        provider: r.provider?.slice(0, r.provider.lastIndexOf("::")),
        inputs: map(r.inputs),
        outputs: map(r.outputs),
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
    }));
}

for (const [label, map] of [
    ["every leaf value", (p: Record<string, unknown>) => allUnknown(p) as Record<string, unknown>],
    ["every top-level value", shallowUnknown],
] as const) {
    it(`no rule crashes when ${label} of the prod stack is unknown; undecided rules say so as advisory`, async () => {
        const findings = await analyze(registry.all(), asFixtures((await plannedExport("prod")).deployment.resources, map));
        assert.deepEqual(findings.filter((f) => f.message.startsWith("can't run policy")), [], "a rule let an unknown value escape");
        assert.deepEqual(findings.filter((f) => f.level === "mandatory").map((f) => `${f.policy}: ${f.message}`), []);
        assert.ok(findings.some((f) => f.message.startsWith("Cannot decide")));
    });
}
