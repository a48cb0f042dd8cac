import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { EngineProject, fixtureProject, PACK_DIR } from "./engine";

// A planted single point of failure (test/engine/fixtures/single-replica: a Deployment with
// one replica) under the real engine: the preview fails with the rule's message, passes once
// the program is fixed, and follows --policy-pack-config.

const RULE = "kubernetes-apps-workload-configure-replicas";
const MESSAGE = 'Deployment "api" can run fewer than 2 replicas (it runs 1), so one pod or node failure stops it';

describe("a planted single point of failure under the real engine", () => {
    let project: EngineProject;
    before(async () => {
        project = EngineProject.create(fixtureProject("single-replica"));
        await project.initStack("spof");
    });
    after(() => project.close());

    const preview = (...extra: string[]) => project.pulumi(["preview", "--stack", "spof", "--policy-pack", PACK_DIR, ...extra]);

    const writeConfig = (name: string, config: unknown): string => {
        const file = path.join(project.root, name);
        fs.writeFileSync(file, JSON.stringify(config));
        return file;
    };

    it("fails the preview with the rule's message as a mandatory violation", async () => {
        const r = await preview();
        assert.notEqual(r.code, 0, r.stdout);
        assert.match(r.stdout, new RegExp(`\\[mandatory\\] \\[severity: \\w+\\]\\s+${RULE}`));
        assert.ok(r.stdout.includes(MESSAGE), r.stdout);
        assert.match(r.stdout, /❌ no-single-point-of-failure@v0\.1\.0/);
    });

    it("passes once the Deployment runs two replicas", async () => {
        // A stack of its own: `preview --config` would also write the value into "spof".
        await project.initStack("fixed");
        await project.must(["config", "set", "--stack", "fixed", "single-replica:replicas", "2"]);
        const r = await project.pulumi(["preview", "--stack", "fixed", "--policy-pack", PACK_DIR]);
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        assert.ok(!r.stdout.includes(RULE), r.stdout);
    });

    it("follows --policy-pack-config: the rule made advisory reports without failing", async () => {
        const r = await preview("--policy-pack-config", writeConfig("advisory.json", { [RULE]: "advisory" }));
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, new RegExp(`\\[advisory\\] \\[severity: \\w+\\]\\s+${RULE}`));
        assert.ok(r.stdout.includes(MESSAGE), r.stdout);
    });

    it("follows --policy-pack-config: a threshold of one replica accepts the Deployment", async () => {
        const config = { "pack-config-settings-enforce-validity": { minReplicas: 1 } };
        const r = await preview("--policy-pack-config", writeConfig("threshold.json", config));
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        assert.ok(!r.stdout.includes(RULE), r.stdout);
    });
});
