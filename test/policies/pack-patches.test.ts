import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import type { ExportedResource } from "../../infra/plan";
import { analyzeStackRequest } from "../../policies/check/requests";
import { deserializeOncePerRequest } from "../../policies/lib/deserialize-once";
import { indexRequires, MIRRORED_REQUIRES } from "../../policies/lib/lazy-pulumi";
import { packPolicies } from "../../policies/lib/pack";
import { compileModule, patchServerSource, serverPath } from "../../policies/lib/stack-resources-once";
import { registry } from "../../policies/rules";
import { answerOf, type AnalyzerServer } from "./harness";
import { PLANTED_SPOFS, planted, plannedExport } from "./planned";
import { stackProbe } from "./probes";

// The pack patches three internals of the Pulumi packages to start and run faster
// (policies/lib/lazy-pulumi.ts, policies/lib/deserialize-once.ts,
// policies/lib/stack-resources-once.ts). These fail when an upgrade changes the shape they rely
// on, so that the patch is revisited rather than silently skipped.

const POLICIES = path.join(__dirname, "..", "..", "policies");
const LAZY = path.join(POLICIES, "lib", "lazy-pulumi.ts");

/** Runs `body` in a fresh Node process (its own module cache) from the pack's directory; returns what it printed as JSON. */
function inFreshProcess(body: string): unknown {
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", body], { cwd: POLICIES, encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

describe("the lazy @pulumi/pulumi index", () => {
    it("mirrors the requires of the installed SDK's index", () => {
        const index = require.resolve("@pulumi/pulumi", { paths: [path.dirname(require.resolve("@pulumi/policy", { paths: [POLICIES] }))] });
        assert.deepEqual(indexRequires(fs.readFileSync(index, "utf8")), MIRRORED_REQUIRES);
    });

    it("has the real index's exports, the same objects, and loads the automation API only on use", () => {
        const real = inFreshProcess(`console.log(JSON.stringify(Object.keys(require("@pulumi/pulumi"))))`) as string[];
        const lazy = inFreshProcess(`
            const { loadPulumiLazily } = require(${JSON.stringify(LAZY)});
            const installed = loadPulumiLazily();
            const pulumi = require("@pulumi/pulumi");
            const automationPath = require.resolve("@pulumi/pulumi/automation");
            const automationBeforeUse = automationPath in require.cache;
            const keys = Object.keys(pulumi);
            const sameNamespaces = ["asset", "automation", "dynamic", "iterable", "log", "provider", "runtime", "utils"]
                .every((ns) => pulumi[ns] === require("@pulumi/pulumi/" + ns));
            const sameClasses = pulumi.ComponentResource === require("@pulumi/pulumi/resource").ComponentResource
                && pulumi.Output === require("@pulumi/pulumi/output").Output && pulumi.Config === require("@pulumi/pulumi/config").Config;
            const secondInstall = loadPulumiLazily();
            console.log(JSON.stringify({ installed, automationBeforeUse, keys, sameNamespaces, sameClasses, secondInstall }));
        `) as { installed: boolean; automationBeforeUse: boolean; keys: string[]; sameNamespaces: boolean; sameClasses: boolean; secondInstall: boolean };
        assert.equal(lazy.installed, true);
        assert.equal(lazy.automationBeforeUse, false);
        assert.deepEqual(lazy.keys, real);
        assert.equal(lazy.sameNamespaces, true);
        assert.equal(lazy.sameClasses, true);
        assert.equal(lazy.secondInstall, false, "installs once, and never over a loaded SDK");
    });
});

describe("deserializing once per request", () => {
    it("@pulumi/policy's server still calls the deserializer through the module's export", () => {
        const server = fs.readFileSync(require.resolve("@pulumi/policy/server", { paths: [POLICIES] }), "utf8");
        assert.match(server, /deserialize_1\.deserializeProperties\(/);
        assert.equal(typeof (require("@pulumi/policy/deserialize") as { deserializeProperties?: unknown }).deserializeProperties, "function");
    });

    it("gives every policy of a request the same value, and another request its own", () => {
        deserializeOncePerRequest();
        const deserialize = (require("@pulumi/policy/deserialize") as { deserializeProperties: (s: object, secrets: boolean) => Record<string, unknown> }).deserializeProperties;
        const request = Struct.fromJavaScript({ replicas: 2, tags: { app: "api" } });
        const first = deserialize(request, false);
        assert.equal(deserialize(request, false), first);
        assert.deepEqual(first, { replicas: 2, tags: { app: "api" } });
        assert.notEqual(deserialize(Struct.fromJavaScript({ replicas: 2, tags: { app: "api" } }), false), first);
    });
});

function analyzeStack(server: AnalyzerServer, request: pb.AnalyzeStackRequest): Promise<Buffer | string> {
    // The pack's own policies between two probes: the first and the last policy see the same resources.
    const policies = [stackProbe("probe-first"), ...packPolicies(registry.all()), stackProbe("probe-last")];
    return answerOf(server.makeAnalyzeStackRpcFun("no-single-point-of-failure", "0.1.0", "advisory", policies), request);
}

describe("building a stack's resources once per request", () => {
    const file = serverPath(POLICIES);
    const source = fs.readFileSync(file, "utf8");

    it("knows the installed server.js: the block it rewrites is there word for word", () => {
        const patched = patchServerSource(source);
        assert.ok(patched, "stack-resources-once.ts no longer matches @pulumi/policy/server.js: revisit the patch");
        assert.match(patched, /resources: buildStackResources\(\)/);
        assert.equal(patchServerSource("function makeAnalyzeStackRpcFun() {}"), undefined, "another text is left alone");
    });

    it("answers every AnalyzeStack call byte for byte as the installed server does, and shows every policy the same resources: the planned prod stack and each planted single point of failure", async () => {
        const original = compileModule(file, source, false).exports as unknown as AnalyzerServer;
        const patched = compileModule(file, patchServerSource(source) as string, false).exports as unknown as AnalyzerServer;
        const prod = await plannedExport("prod");
        let withFindings = 0;
        for (const stack of [prod, ...PLANTED_SPOFS.map((spof) => planted(prod, spof))]) {
            const resources = stack.deployment.resources;
            const request = await analyzeStackRequest(resources, new Map<string, ExportedResource>(resources.map((r) => [r.urn, r])));
            const [want, got] = [await analyzeStack(original, request), await analyzeStack(patched, request)];
            assert.ok(Buffer.isBuffer(want), `the installed server failed: ${String(want)}`);
            assert.deepEqual(got, want);
            const diagnostics = pb.AnalyzeResponse.deserializeBinary(want).getDiagnosticsList();
            const probes = diagnostics.filter((d) => d.getPolicyname().startsWith("probe-")).map((d) => d.getMessage().slice(d.getMessage().indexOf("\n") + 1));
            assert.equal(probes.length, 2);
            assert.equal(probes[0], probes[1], "the first and the last policy see the same resources");
            assert.ok((JSON.parse(probes[0] as string) as unknown[]).length === resources.length);
            if (diagnostics.length > probes.length) withFindings++;
        }
        assert.ok(withFindings >= PLANTED_SPOFS.length / 2, `only ${withFindings} of the compared answers report anything`);
    });

    it("fails a request it cannot build the way the installed server does", async () => {
        const original = compileModule(file, source, false).exports as unknown as AnalyzerServer;
        const patched = compileModule(file, patchServerSource(source) as string, false).exports as unknown as AnalyzerServer;
        const resources = (await plannedExport("prod")).deployment.resources;
        const request = await analyzeStackRequest(resources, new Map<string, ExportedResource>(resources.map((r) => [r.urn, r])));
        // An engine too old to send resource options: the server refuses with its upgrade message.
        request.getResourcesList()[1]?.clearOptions();
        // The message, without the stack trace (its line numbers differ with the patched text).
        const message = (answer: Buffer | string) => String(answer).split("\n").filter((l) => !/^\s+at /.test(l)).join("\n");
        const want = message(await analyzeStack(original, request));
        assert.match(want, /^error: Error validating resource with policy '[a-z-]+' .*\nError: A more recent version of the Pulumi CLI is required/);
        assert.equal(message(await analyzeStack(patched, request)), want);
    });

    it("is what @pulumi/policy serves once the pack's patches are installed, and never replaces a loaded server", () => {
        const INSTALL = path.join(POLICIES, "lib", "install-patches.ts");
        const ONCE = path.join(POLICIES, "lib", "stack-resources-once.ts");
        const seen = inFreshProcess(`
            require(${JSON.stringify(INSTALL)});
            require("@pulumi/policy");
            const file = require.resolve("@pulumi/policy/server");
            const cached = require.cache[file];
            const policyModule = require.cache[require.resolve("@pulumi/policy/policy")];
            console.log(JSON.stringify({
                patched: String(cached.exports.makeAnalyzeStackRpcFun).includes("buildStackResources"),
                // policy.js (where PolicyPack calls serve) holds this very module, not a second, unpatched copy.
                policyUsesIt: policyModule.children.includes(cached),
                again: require(${JSON.stringify(ONCE)}).buildStackResourcesOnce(),
            }));
        `) as { patched: boolean; policyUsesIt: boolean; again: boolean };
        assert.deepEqual(seen, { patched: true, policyUsesIt: true, again: false });
    });
});
