import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ExportedResource } from "../../infra/plan/stackExport";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "../../policies/check/encode";
import { analyzeRequest, analyzeStackRequest, type StateResource } from "../../policies/check/requests";
import { applyCase, loadRuleFixtures } from "./cases";
import { edgeCaseResources, resource } from "./edge-state";
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

describe("requests written straight to bytes", () => {
    it("match google-protobuf for every kind of value and every resource option", async () => {
        await assertSameBytes(edgeCaseResources(), "edge cases");
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
