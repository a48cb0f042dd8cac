import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import YAML from "yaml";
import { ANCHOR_ID_FORMATS, ANCHOR_TOOLS } from "../../policies/lib/anchors";
import { renderDoc } from "../../policies/docs";
import { registry } from "../../policies/rules";
import { ANCHORS, anchorsOf } from "../../policies/rules/anchors";

const POLICIES = path.join(__dirname, "..", "..", "policies");

describe("anchor checks (rule metadata)", () => {
    it("every rule has an entry, and every entry names a rule", () => {
        const names = registry.all().map((r) => r.name);
        assert.deepEqual(names.filter((n) => !(n in ANCHORS)), [], "rules without an anchor entry");
        assert.deepEqual(Object.keys(ANCHORS).filter((n) => !names.includes(n)), [], "anchor entries of no rule");
    });

    it("ids have their tool's shape, titles are given, and no rule lists one twice", () => {
        for (const [rule, anchors] of Object.entries(ANCHORS)) {
            for (const a of anchors) {
                assert.ok((ANCHOR_TOOLS as readonly string[]).includes(a.tool), `${rule}: unknown tool ${a.tool}`);
                assert.match(a.id, ANCHOR_ID_FORMATS[a.tool], `${rule}: ${a.tool} id ${a.id}`);
                assert.ok(a.title.length > 5, `${rule}: ${a.id} has no title`);
            }
            const keys = anchors.map((a) => `${a.tool}:${a.id}`);
            assert.equal(new Set(keys).size, keys.length, `${rule} lists an anchor twice`);
        }
    });

    it("the rules of the anchors' own kinds have their anchors", () => {
        const ids = (rule: string) => anchorsOf(rule).map((a) => a.id);
        assert.ok(ids("aws-rds-instance-enable-multi-az").includes("CKV_AWS_157"));
        assert.ok(ids("aws-dynamodb-table-enable-point-in-time-recovery").includes("AVD-AWS-0024"));
        assert.ok(ids("aws-lb-load-balancer-enable-cross-zone").includes("CKV_AWS_152"));
        assert.ok(ids("kubernetes-apps-workload-configure-replicas").includes("deploymentMissingReplicas"));
        assert.ok(ids("kubernetes-apps-workload-missing-pdb").includes("deployment-has-poddisruptionbudget"));
    });

    it("docs/policies.md lists each rule's anchors, or says there are none", () => {
        const doc = renderDoc();
        for (const rule of registry.all()) {
            const section = doc.slice(doc.indexOf(`#### \`${rule.name}\``)).split("\n#### ")[0] ?? "";
            const line = section.split("\n").find((l) => l.startsWith("- **Anchor checks:**")) ?? "";
            const anchors = anchorsOf(rule.name);
            if (anchors.length === 0) assert.match(line, /none of the anchor tools/, rule.name);
            for (const a of anchors) assert.ok(line.includes(`\`${a.id}\``), `${rule.name}: ${a.id} missing from its docs`);
        }
    });
});

it("the pack's version is the same in package.json (what a Node.js pack publishes) and PulumiPolicy.yaml", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(POLICIES, "package.json"), "utf8")) as { version: string };
    const yaml = YAML.parse(fs.readFileSync(path.join(POLICIES, "PulumiPolicy.yaml"), "utf8")) as { version: string };
    assert.match(pkg.version, /^\d+\.\d+\.\d+$/);
    assert.equal(yaml.version, pkg.version);
});
