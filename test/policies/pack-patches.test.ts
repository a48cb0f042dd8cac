import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { deserializeOncePerRequest } from "../../policies/lib/deserialize-once";
import { indexRequires, MIRRORED_REQUIRES } from "../../policies/lib/lazy-pulumi";

// The pack patches two internals of the Pulumi packages to start and run faster
// (policies/lib/lazy-pulumi.ts, policies/lib/deserialize-once.ts). These fail when an upgrade
// changes the shape they rely on, so that the patch is revisited rather than silently skipped.

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
