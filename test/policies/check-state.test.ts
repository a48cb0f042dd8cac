import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PackHost } from "../../policies/check/host";
import { analyzeRequest, type StateResource } from "../../policies/check/requests";
import { runCheck } from "../../policies/check/run";
import { toExported, type FixtureResource } from "./harness";

// What `npm run check -- --state` sends, where a state export holds more than the engine
// sends (as recorded from the real engine in test/engine/stacks.test.ts).

describe("requests from a state export", () => {
    const bucket = (): StateResource => ({
        urn: "urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::b",
        type: "aws:s3/bucket:Bucket",
        custom: true,
        inputs: { __defaults: [], bucket: "b", tags: { __owner: "x" } },
        outputs: {},
        additionalSecretOutputs: ["policy"],
        protect: true,
        customTimeouts: { create: 600 },
    });

    it("drops the provider's top-level __ keys, as the engine does, and keeps nested ones", () => {
        const r = bucket();
        const props = analyzeRequest(r, new Map([[r.urn, r]])).getProperties()?.toJavaScript();
        assert.deepEqual(props, { bucket: "b", tags: { __owner: "x" } });
    });

    it("sends the resource options the state records", () => {
        const r = bucket();
        const opts = analyzeRequest(r, new Map([[r.urn, r]])).getOptions();
        assert.equal(opts?.getProtect(), true);
        assert.deepEqual(opts?.getAdditionalsecretoutputsList(), ["policy"]);
        assert.equal(opts?.getCustomtimeouts()?.getCreate(), 600);
    });
});

describe("resources the engine does not analyze", () => {
    let host: PackHost;
    before(async () => { host = await PackHost.start(); });
    after(() => host.close());

    const labels = { app: "api" };
    const single: FixtureResource = {
        type: "kubernetes:apps/v1:Deployment",
        name: "api",
        props: { metadata: { name: "api", namespace: "default" }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels } } } },
    };
    const replicaFindings = async (edit: (r: StateResource) => void) => {
        const resources = toExported([single]) as StateResource[];
        resources.forEach(edit);
        const state = { version: 3 as const, deployment: { manifest: { time: "", magic: "", version: "" }, resources } };
        return (await runCheck(state, { host })).findings.filter((f) => f.policy === "kubernetes-apps-workload-configure-replicas");
    };

    it("a live single-replica Deployment fails", async () => {
        assert.equal((await replicaFindings(() => undefined)).length, 1);
    });

    it("one waiting to be deleted (`delete: true`) is not in the stack any more", async () => {
        assert.deepEqual(await replicaFindings((r) => { r.delete = true; }), []);
    });

    it("one the program only reads (`external: true`) is still judged at stack level", async () => {
        assert.equal((await replicaFindings((r) => { r.external = true; })).length, 1);
    });
});
