import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PackHost } from "../../policies/check/host";
import { runCheck } from "../../policies/check/run";
import { toExported, type FixtureResource } from "./harness";

// During a preview the real engine sends AnalyzeStack no properties at all for a resource whose
// provider cannot be configured yet (a Kubernetes provider whose kubeconfig comes from a
// cluster still to be created): it was found running `pulumi preview` on a fresh prod stack,
// where every workload was read as running Kubernetes' default of one replica. Stack rules
// then judge the inputs the engine sent to Analyze.

const RULE = "kubernetes-apps-workload-configure-replicas";

function deployment(replicas: number): FixtureResource {
    const labels = { app: "api" };
    return {
        type: "kubernetes:apps/v1:Deployment",
        name: "api",
        inputs: {
            metadata: { name: "api", namespace: "default" },
            spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: "api", image: "api:1" }] } } },
        },
        outputs: {},
    };
}

describe("stack rules on a preview that sends no outputs", () => {
    let host: PackHost;
    before(async () => { host = await PackHost.start(); });
    after(() => host.close());

    const findings = async (r: FixtureResource) => {
        const state = { version: 3 as const, deployment: { manifest: { time: "", magic: "", version: "" }, resources: toExported([r]) } };
        // A preview's outputs have no id either.
        for (const res of state.deployment.resources) res.outputs = {};
        return (await runCheck(state, { host })).findings.filter((f) => f.policy === RULE);
    };

    it("passes a Deployment whose declared inputs run three replicas", async () => {
        assert.deepEqual(await findings(deployment(3)), []);
    });

    it("fails a Deployment whose declared inputs run one replica", async () => {
        const found = await findings(deployment(1));
        assert.equal(found.length, 1);
        assert.equal(found[0]?.level, "mandatory");
        assert.match(found[0]?.message ?? "", /^Deployment "api" can run fewer than 2 replicas \(it runs 1\)/);
    });
});
