import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { ExportedResource } from "../../infra/plan/stackExport";
import { encodeAnalyzeRequest, encodeAnalyzeStackRequest } from "../../policies/check/encode";
import { SECRET_SIG, SIG_KEY, type StateResource } from "../../policies/check/requests";
import { analyzeRequestView, analyzeStackRequestView } from "../../policies/check/views";
import { packPolicies } from "../../policies/lib/pack";
import { registry } from "../../policies/rules";
import { applyCase, loadRuleFixtures } from "./cases";
import { edgeCaseResources, engineOnlyResources, resource } from "./edge-state";
import { answerOf, server, toExported } from "./harness";
import { PLANTED_SPOFS, planted, plannedExport } from "./planned";
import { resourceProbe, stackProbe } from "./probes";

// The in-process check hands @pulumi/policy's analyzer server request views
// (policies/check/views.ts) instead of messages decoded from the bytes the pack's process is sent
// (policies/check/encode.ts). Whatever the server reads of them must be the same.

/* eslint-disable @typescript-eslint/no-explicit-any -- the generated messages and the views share an accessor API but no declared type. */
type Message = any;

function byUrnOf(resources: ExportedResource[]): Map<string, ExportedResource> {
    return new Map(resources.map((r) => [r.urn, r]));
}

/** Everything the server reads of an AnalyzeRequest or AnalyzerResource, through the same accessors, in their order. */
function read(m: Message, stack: boolean): unknown {
    const opts = m.getOptions();
    const timeouts = opts.getCustomtimeouts();
    const provider = m.getProvider();
    const seen: Record<string, unknown> = {
        type: m.getType(),
        urn: m.getUrn(),
        name: m.getName(),
        props: m.getProperties().toJavaScript(),
        options: {
            protect: opts.getProtect(),
            ignoreChanges: opts.getIgnorechangesList(),
            aliases: opts.getAliasesList(),
            additionalSecretOutputs: opts.getAdditionalsecretoutputsList(),
            deleteBeforeReplaceDefined: opts.getDeletebeforereplacedefined(),
            deleteBeforeReplace: opts.getDeletebeforereplace(),
            parent: opts.getParent(),
            timeouts: timeouts && [timeouts.getCreate(), timeouts.getUpdate(), timeouts.getDelete()],
        },
        provider: provider && { type: provider.getType(), urn: provider.getUrn(), name: provider.getName(), props: provider.getProperties().toJavaScript() },
    };
    if (stack) {
        seen["parent"] = m.getParent();
        seen["dependencies"] = m.getDependenciesList();
        seen["propertyDependencies"] = [...m.getPropertydependenciesMap().entries()].map(([k, v]: [string, Message]) => [k, v.getUrnsList()]);
    }
    return seen;
}

/** Equal as deepStrictEqual sees it (-0, NaN, prototypes) and with keys in the same order. */
function assertSameReading(got: unknown, want: unknown, label: string): void {
    assert.deepStrictEqual(got, want, label);
    assert.equal(JSON.stringify(got), JSON.stringify(want), `${label}: key order`);
}

function assertSameAsDecoded(resources: StateResource[], label: string): void {
    const byUrn = byUrnOf(resources);
    for (const r of resources) {
        const decoded = pb.AnalyzeRequest.deserializeBinary(encodeAnalyzeRequest(r, byUrn));
        assertSameReading(read(analyzeRequestView(r, byUrn), false), read(decoded, false), `${label}: Analyze of ${r.urn}`);
    }
    const decodedStack = pb.AnalyzeStackRequest.deserializeBinary(encodeAnalyzeStackRequest(resources, byUrn)).getResourcesList();
    const viewStack = (analyzeStackRequestView(resources, byUrn) as Message).getResourcesList() as Message[];
    assert.equal(viewStack.length, decodedStack.length, `${label}: AnalyzeStack resources`);
    decodedStack.forEach((d, i) => assertSameReading(read(viewStack[i], true), read(d, true), `${label}: AnalyzeStack resource ${d.getUrn()}`));
}

/** The pack's policies between two probes that report everything they are given. */
const policies = [resourceProbe("probe-resource-first"), stackProbe("probe-stack-first"), ...packPolicies(registry.all()), resourceProbe("probe-resource-last"), stackProbe("probe-stack-last")];
const analyzeFun = server.makeAnalyzeRpcFun("no-single-point-of-failure", "0.1.0", "advisory", policies);
const stackFun = server.makeAnalyzeStackRpcFun("no-single-point-of-failure", "0.1.0", "advisory", policies);

/** Runs Analyze for every resource and AnalyzeStack on views and on decoded messages; returns how many answers reported findings. */
async function assertSameAnswers(resources: StateResource[], label: string): Promise<number> {
    const byUrn = byUrnOf(resources);
    let withFindings = 0;
    const compare = (got: Buffer | string, want: Buffer | string, what: string) => {
        assert.ok(Buffer.isBuffer(want), `${label}: ${what}: the decoded request failed: ${String(want)}`);
        assert.deepEqual(got, want, `${label}: ${what}`);
        const diagnostics = pb.AnalyzeResponse.deserializeBinary(want).getDiagnosticsList();
        if (diagnostics.some((d) => !d.getPolicyname().startsWith("probe-"))) withFindings++;
    };
    for (const r of resources.filter((x) => !(x as StateResource).external)) {
        const decoded = pb.AnalyzeRequest.deserializeBinary(encodeAnalyzeRequest(r, byUrn));
        compare(await answerOf(analyzeFun, analyzeRequestView(r, byUrn)), await answerOf(analyzeFun, decoded), `Analyze of ${r.urn}`);
    }
    const decodedStack = pb.AnalyzeStackRequest.deserializeBinary(encodeAnalyzeStackRequest(resources, byUrn));
    compare(await answerOf(stackFun, analyzeStackRequestView(resources, byUrn)), await answerOf(stackFun, decodedStack), "AnalyzeStack");
    return withFindings;
}

describe("request views for the in-process pack", () => {
    it("answer every accessor the analyzer server calls as the message decoded from the check's bytes does: every kind of value and option", () => {
        assertSameAsDecoded([...edgeCaseResources(), ...engineOnlyResources()], "edge cases");
    });

    it("answer every accessor as the decoded message does: every rule fixture's resources and cases", () => {
        for (const fixtures of loadRuleFixtures()) {
            assertSameAsDecoded(toExported(fixtures.baseline), fixtures.rule);
            for (const c of fixtures.cases) assertSameAsDecoded(toExported(applyCase(fixtures.baseline, c.case)), `${fixtures.rule}/${c.file}`);
        }
    });

    it("get the same answers, byte for byte, from the pack's handlers and from probes that report all a policy sees: planned prod, every planted single point of failure, the edge cases", async () => {
        const prod = await plannedExport("prod");
        let withFindings = 0;
        for (const spof of PLANTED_SPOFS) withFindings += await assertSameAnswers(planted(prod, spof).deployment.resources, spof.name);
        await assertSameAnswers(prod.deployment.resources, "prod");
        await assertSameAnswers([...edgeCaseResources(), ...engineOnlyResources()], "edge cases");
        assert.ok(withFindings >= PLANTED_SPOFS.length, `only ${withFindings} answers for ${PLANTED_SPOFS.length} planted failures report a finding`);
    });

    it("refuse a secret whose plaintext is not JSON as the request is built, as the encoder does", () => {
        const bad = resource("urn:pulumi:test::langchain-ha::aws:ssm/parameter:Parameter::bad", { value: { [SIG_KEY]: SECRET_SIG, plaintext: "{not json" } });
        const byUrn = byUrnOf([bad]);
        assert.throws(() => encodeAnalyzeRequest(bad, byUrn), SyntaxError);
        assert.throws(() => analyzeRequestView(bad, byUrn), SyntaxError);
    });

    it("are told apart when the resource differs", () => {
        const a = resource("urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::a", { n: 1 });
        const b = resource("urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::a", { n: 2 });
        assert.notDeepEqual(read(analyzeRequestView(a, byUrnOf([a])), false), read(analyzeRequestView(b, byUrnOf([b])), false));
    });
});
