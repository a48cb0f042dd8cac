import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { runProcess } from "../support/process";
import { REPO } from "./engine";

// .ci/lint-workflows.sh: actionlint (built from the Go module proxy) over the workflow files,
// and the Pulumi version they install against package.json's.
const LINT = path.join(REPO, ".ci/lint-workflows.sh");
const WORKFLOW = path.join(REPO, ".github/workflows/pull-request.yml");
const PINNED = (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies["@pulumi/pulumi"];

describe("pull-request workflow lint", () => {
    let dir: string;
    before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "langchain-ha-workflows-")); });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    const lintVariant = async (name: string, edit: (text: string) => string) => {
        const variant = path.join(dir, name);
        fs.mkdirSync(variant);
        fs.writeFileSync(path.join(variant, "pull-request.yml"), edit(fs.readFileSync(WORKFLOW, "utf8")));
        return runProcess("bash", [LINT, variant]);
    };

    it("passes the repository's workflows", async () => {
        const r = await runProcess("bash", [LINT]);
        assert.equal(r.code, 0, r.stderr + r.stdout);
        assert.match(r.stderr, /workflow file\(s\) in .*\.github\/workflows are valid/);
    });

    it("fails a workflow whose job depends on an output of a job it does not need", async () => {
        const r = await lintVariant("bad-needs", (t) => t.replace("needs.credentials.outputs.available", "needs.credential.outputs.available"));
        assert.equal(r.code, 1);
        assert.match(r.stdout, /property "credential" is not defined/);
    });

    it("fails a workflow that installs another Pulumi CLI than package.json pins", async () => {
        const r = await lintVariant("old-cli", (t) => t.replace(/pulumi-version: [0-9.]+/, "pulumi-version: 3.200.0"));
        assert.equal(r.code, 1);
        assert.ok(r.stderr.includes(`installs Pulumi 3.200.0, but package.json pins @pulumi/pulumi ${PINNED}`), r.stderr);
    });
});
