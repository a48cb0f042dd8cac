import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PackError } from "../../policies/check/analyzer";
import { InProcessPack } from "../../policies/check/inprocess";
import { runCheck } from "../../policies/check/run";
import { stackOfFixture } from "./harness";

// How the check loads a pack into its own process (policies/check/inprocess.ts): the pack's
// entry as `run-policy-pack` runs it, its gRPC server never listening, and a pack that cannot
// load reported as a PackError without ending the process. @pulumi/policy serves one pack per
// process, so the cases run in order: packs that fail first, then one that loads.

const ROOT = path.join(__dirname, "..", "..");
const grpcServer = (require(require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/policy/server"))] })) as { Server: { prototype: Record<string, unknown> } }).Server.prototype;

let dir: string;
before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "inprocess-pack-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A pack directory with the given entry, resolving @pulumi/policy from the repository's node_modules unless told not to. */
function packDir(name: string, entry: string, opts: { modules?: boolean } = {}): string {
    const pack = path.join(dir, name);
    fs.mkdirSync(pack);
    fs.writeFileSync(path.join(pack, "package.json"), JSON.stringify({ name, version: "9.9.9", main: "index.js" }));
    fs.writeFileSync(path.join(pack, "index.js"), entry);
    if (opts.modules !== false) fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(pack, "node_modules"));
    return pack;
}

const POLICY = `{
    name: "no-queues",
    description: "Reports every queue.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => { if (args.type === "aws:sqs/queue:Queue") report("queue " + args.name + " in " + args.props.region); },
}`;

async function startFails(pack: string): Promise<string> {
    const cwd = process.cwd();
    const exit = process.exit;
    const addService = grpcServer["addService"];
    const error = await InProcessPack.start({ packDir: pack }).then(
        () => assert.fail("the pack loaded"),
        (e: unknown) => e,
    );
    assert.ok(error instanceof PackError, String(error));
    assert.equal(process.cwd(), cwd, "the working directory is restored");
    assert.equal(process.exit, exit, "process.exit is restored");
    assert.equal(grpcServer["addService"], addService, "the gRPC server is restored");
    return error.message;
}

describe("the pack loaded into the check's process", () => {
    it("reports an entry that throws, with its message's first line", async () => {
        const pack = packDir("throws", 'throw new Error("cannot build the pack\\nat some line");');
        assert.equal(await startFails(pack), "the policy pack failed to start: cannot build the pack");
    });

    it("reports a pack @pulumi/policy refuses with its message, instead of letting it end the process", async () => {
        const pack = packDir("refused", `const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("refused", { policies: [{ ...${POLICY}, name: "all" }] });`);
        assert.equal(await startFails(pack), 'the policy pack failed to start: it exited with code 1 (Invalid policy name "all". "all" is a reserved name.)');
    });

    it("reports an entry that constructs no PolicyPack", async () => {
        assert.equal(await startFails(packDir("empty", "module.exports = {};")), "the policy pack failed to start: its entry constructed no PolicyPack");
    });

    it("reports a pack directory where @pulumi/policy cannot be found", async () => {
        assert.match(await startFails(packDir("no-modules", "", { modules: false })), /^the policy pack failed to start: Cannot find module '@pulumi\/policy\/server'/);
    });

    it("loads a pack as run-policy-pack does: its own package.json's version, its policies' findings", async () => {
        const pack = packDir("queues", `const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("queues-pack", { policies: [${POLICY}] });`);
        const host = await InProcessPack.start({ packDir: pack });
        assert.deepEqual(await host.info(), { name: "queues-pack", version: "9.9.9", policies: [{ name: "no-queues", enforcementLevel: "mandatory", configSchema: undefined }] });
        const state = stackOfFixture([
            { type: "aws:sqs/queue:Queue", name: "jobs", props: { region: "us-east-1" } },
            { type: "aws:s3/bucket:Bucket", name: "data", props: {} },
        ]);
        const { findings } = await runCheck(state, { host });
        assert.deepEqual(findings.map((f) => [f.policy, f.level, f.message]), [["no-queues", "mandatory", "Reports every queue.\nqueue jobs in us-east-1"]]);
        // Loaded once: starting it again is the same pack, without loading anything.
        assert.deepEqual(await (await InProcessPack.start({ packDir: pack })).info(), await host.info());
    });

    it("refuses a second, different pack in the same process", async () => {
        const other = packDir("other", `const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("other-pack", { policies: [${POLICY}] });`);
        assert.match(await startFails(other), /^the policy pack failed to start: the pack of .*queues is already loaded in this process \(one pack per process\)$/);
    });
});
