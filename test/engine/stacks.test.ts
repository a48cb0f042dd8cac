import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as path from "node:path";
import { listStacks } from "../../infra/plan";
import { parseStateExport } from "../../policies/check/input";
import { checkRequests, differences, readEngineLog } from "./analyzerRequests";
import { EngineProject, PACK_DIR, repoProject } from "./engine";
import { TEST_SECRETS } from "./secrets";

// The real CLI runs the program of every stack against a local file backend, with the
// stand-in providers: `pulumi preview --policy-pack policies`, then `pulumi up` with the
// pack, then a preview that must find nothing to change and whose analyzer requests (what the
// engine actually sent the pack, from PULUMI_DEBUG_GRPC) must be the ones `npm run check`
// builds from the deployed state's `pulumi stack export`.

interface Summary {
    create: number;
    same: number;
    update: number;
}

/** The `Resources:` block of the CLI's summary. */
function summary(out: string): Summary {
    const count = (what: string) => Number(/(\d+) to create|(\d+) created/.exec(what)?.slice(1).find(Boolean) ?? 0);
    const block = out.slice(out.lastIndexOf("Resources:"));
    return {
        create: count(block),
        same: Number(/(\d+) unchanged/.exec(block)?.[1] ?? 0),
        update: Number(/(\d+) to update|(\d+) updated/.exec(block)?.slice(1).find(Boolean) ?? 0),
    };
}

/** No mandatory violation: the pack ran (✅ or, with advisory findings only, ⚠️) and did not fail. */
function assertPackPassed(out: string): void {
    assert.match(out, /Policies:\s+(✅|⚠️) no-single-point-of-failure@v0\.1\.0 \(local: /, out);
    assert.ok(!out.includes("[mandatory]"), out);
}

for (const stack of listStacks()) {
    describe(`${stack}: the real engine with the policy pack`, () => {
        let project: EngineProject;
        before(async () => {
            project = EngineProject.create(repoProject());
            await project.initStack(stack, TEST_SECRETS);
        });
        after(() => project.close());

        it("pulumi preview --policy-pack policies, then pulumi up with the pack, then a preview with nothing to change", async () => {
            const preview = await project.pulumi(["preview", "--stack", stack, "--policy-pack", PACK_DIR]);
            assert.equal(preview.code, 0, `${preview.stdout}\n${preview.stderr}`);
            assertPackPassed(preview.stdout);
            const planned = summary(preview.stdout).create;
            assert.ok(planned > 50, `the preview plans ${planned} resources:\n${preview.stdout}`);

            const up = await project.pulumi(["up", "--yes", "--stack", stack, "--policy-pack", PACK_DIR]);
            assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
            assertPackPassed(up.stdout);
            assert.equal(summary(up.stdout).create, planned, up.stdout);

            const grpcLog = path.join(project.root, "grpc.log");
            const again = await project.pulumi(["preview", "--stack", stack, "--policy-pack", PACK_DIR], { grpcLog });
            assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
            assertPackPassed(again.stdout);
            assert.deepEqual(summary(again.stdout), { create: 0, update: 0, same: planned }, again.stdout);

            const engine = readEngineLog(grpcLog);
            assert.equal(engine.stack.size, planned, "AnalyzeStack saw every resource");
            const exported = await project.must(["stack", "export", "--stack", stack, "--show-secrets"]);
            const check = await checkRequests(parseStateExport(exported.stdout, "export"));
            assert.deepEqual(differences(engine, check), [], "npm run check sends what the engine sent");
        });
    });
}
