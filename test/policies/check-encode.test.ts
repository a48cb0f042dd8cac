import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExportedResource } from "../../infra/plan/stackExport";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "../../policies/check/encode";
import { analyzeRequest, analyzeStackRequest, SECRET_SIG, SIG_KEY, UNKNOWN_VALUE, type StateResource } from "../../policies/check/requests";
import { applyCase, loadRuleFixtures } from "./cases";
import { toExported } from "./harness";
import { plannedExport } from "./planned";

// `npm run check` writes its requests straight to bytes (policies/check/encode.ts); what the pack
// receives must stay what google-protobuf writes for the messages requests.ts builds (and
// test/engine compares with the real engine's): byte for byte.

function byUrnOf(resources: ExportedResource[]): Map<string, ExportedResource> {
    return new Map(resources.map((r) => [r.urn, r]));
}

async function assertSameBytes(resources: StateResource[], label: string): Promise<void> {
    const byUrn = byUrnOf(resources);
    for (const r of resources) {
        const expected = Buffer.from(analyzeRequest(r, byUrn).serializeBinary());
        assert.deepEqual(encodeAnalyzeRequest(r, byUrn), expected, `${label}: Analyze of ${r.urn}`);
    }
    const stack = Buffer.from((await analyzeStackRequest(resources, byUrn)).serializeBinary());
    assert.ok(encodeAnalyzeStackRequest(resources, byUrn).equals(stack), `${label}: AnalyzeStack`);
}

const PROVIDER = "urn:pulumi:test::langchain-ha::pulumi:providers:aws::default";

function resource(urn: string, inputs: Record<string, unknown>, more: Partial<StateResource> = {}): StateResource {
    return { urn, type: urn.split("::")[2] ?? "", custom: true, inputs, outputs: inputs, ...more };
}

describe("requests written straight to bytes", () => {
    it("match google-protobuf for every kind of value and every resource option", async () => {
        const long = "x".repeat(200);
        const provider = resource(PROVIDER, { region: "us-east-1", __internal: { k: 1 }, version: "7.0.0" });
        const edge = resource(
            "urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::edge",
            {
                __defaults: ["bucket"],
                zeta: 1,
                Alpha: 2,
                "10": "ten",
                "9": "nine",
                _under: true,
                "é": "accented",
                empty: {},
                emptyList: [],
                emptyString: "",
                nothing: null,
                missing: undefined,
                numbers: [0, -0, -1.5, 2 ** 53, 1e-300, 123456.789],
                flags: [true, false],
                nested: { deeper: { list: [[1, [2, { three: "3" }]], null, undefined] }, __kept: "nested __ keys stay" },
                unicode: "日本語 ✓ 🚀",
                long,
                veryLong: "y".repeat(20_000),
                longKey: { [long]: long },
                unknown: UNKNOWN_VALUE,
                secretPlain: { [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify({ password: "p", n: 2 }) },
                secretValue: { [SIG_KEY]: SECRET_SIG, value: ["a", { b: 1 }] },
                secretEncrypted: { [SIG_KEY]: SECRET_SIG, ciphertext: "AAAA" },
                big: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, { i, s: `v${i}` }])),
            },
            {
                provider: `${PROVIDER}::provider-id`,
                parent: "urn:pulumi:test::langchain-ha::pulumi:pulumi:Stack::langchain-ha-test",
                protect: true,
                ignoreChanges: ["tags", ""],
                additionalSecretOutputs: ["policy"],
                aliases: ["urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::old"],
                customTimeouts: { create: 600, update: 0.5, delete: 0 },
                dependencies: [PROVIDER, "urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::other"],
                propertyDependencies: { zeta: [PROVIDER], Alpha: [], nested: ["urn:a", "urn:b"] },
            },
        );
        // A provider reference whose provider is not in the export, and a resource with nothing but its URN.
        const orphan = resource("urn:pulumi:test::langchain-ha::aws:sns/topic:Topic::orphan", { name: "t" }, { provider: "urn:pulumi:test::langchain-ha::pulumi:providers:gcp::gone::id" });
        const bare: StateResource = { urn: "urn:pulumi:test::langchain-ha::x:y:Z::bare", type: "", custom: false, inputs: {}, outputs: {} };
        await assertSameBytes([provider, edge, orphan, bare], "edge cases");
    });

    it("match google-protobuf for every rule fixture's resources and cases", async () => {
        for (const fixtures of loadRuleFixtures()) {
            await assertSameBytes(toExported(fixtures.baseline), fixtures.rule);
            for (const c of fixtures.cases) await assertSameBytes(toExported(applyCase(fixtures.baseline, c.case)), `${fixtures.rule}/${c.file}`);
        }
    });

    it("match google-protobuf for the planned prod stack", async () => {
        await assertSameBytes((await plannedExport("prod")).deployment.resources, "prod");
    });

    it("are told apart when the resource differs", () => {
        const a = resource("urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::a", { n: 1 });
        const b = resource("urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::a", { n: 2 });
        assert.notDeepEqual(encodeAnalyzeRequest(a, byUrnOf([a])), encodeAnalyzeRequest(b, byUrnOf([b])));
    });
});
