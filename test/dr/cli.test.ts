import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { World } from "./support/world";

/** stderr of a bad-input run: exactly one line, starting with "dr: ". */
function oneLine(err: string): string {
    const lines = err.trim().split("\n").filter((l) => !/NodeVersionSupportWarning|node >=22|a\.co\/|trace-warnings|^To continue|^More information|^versions published|^will require|^$/.test(l));
    assert.equal(lines.length, 1, `expected one line, got:\n${err}`);
    assert.match(lines[0]!, /^dr: /);
    return lines[0]!;
}

describe("dr CLI: bad input exits 2 with one clear line", () => {
    const world = new World();
    before(async () => { await world.start(); });
    after(async () => { await world.stop(); });

    it("an unknown stack", async () => {
        const r = await world.run(["status", "--stack", "nope", "--outputs", world.outputsFile, "--stacks-dir", world.stacksDir], { common: false });
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /unknown stack "nope"/);
    });

    it("a missing outputs file", async () => {
        const r = await world.run(["failover", "--to", "gcp", "--stack", world.stack, "--outputs", `${world.dir}/none.json`, "--stacks-dir", world.stacksDir, "--state-dir", world.stateDir], { common: false });
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /cannot read outputs file .*none\.json: no such file/);
    });

    it("an outputs file that is not JSON", async () => {
        const file = `${world.dir}/broken.json`;
        fs.writeFileSync(file, "{ not json");
        const r = await world.run(["status", "--stack", world.stack, "--outputs", file, "--stacks-dir", world.stacksDir], { common: false });
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /is not JSON/);
    });

    it("an outputs file of the wrong shape names the fields", async () => {
        const file = `${world.dir}/shape.json`;
        fs.writeFileSync(file, JSON.stringify({ ...world.outputs, healthCheckIds: { aws: "hc-aws" } }));
        const r = await world.run(["status", "--stack", world.stack, "--outputs", file, "--stacks-dir", world.stacksDir], { common: false });
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /healthCheckIds\.gcp/);
    });

    it("outputs without --show-secrets", async () => {
        const file = `${world.dir}/secret.json`;
        fs.writeFileSync(file, JSON.stringify({ ...world.outputs, kubeconfigs: { aws: "[secret]", gcp: "[secret]" } }));
        const r = await world.run(["status", "--stack", world.stack, "--outputs", file, "--stacks-dir", world.stacksDir], { common: false });
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /--show-secrets/);
    });

    it("outputs of another stack", async () => {
        const file = `${world.dir}/other.json`;
        fs.writeFileSync(file, JSON.stringify({ ...world.outputs, environment: "prod" }));
        const r = await world.run(["status", "--stack", world.stack, "--outputs", file, "--stacks-dir", world.stacksDir], { common: false });
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /environment "prod"/);
    });

    it("an unknown side", async () => {
        const r = await world.run(["failover", "--to", "azure"]);
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /--to must be aws or gcp, got "azure"/);
    });

    it("a missing --to, --stack, or an unknown command or option", async () => {
        for (const args of [["failover"], ["restore", "--to", "gcp"], ["bogus"], ["status", "--frobnicate"]]) {
            const r = await world.run(args);
            assert.equal(r.code, 2, args.join(" "));
            oneLine(r.err);
        }
        const r = await world.run(["status"], { common: false });
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /--stack is required/);
    });

    it("a bad --mode or --incident-start", async () => {
        let r = await world.run(["failover", "--to", "gcp", "--mode", "sideways"]);
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /--mode must be auto, planned or unplanned/);
        r = await world.run(["failover", "--to", "gcp", "--incident-start", "yesterday"]);
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /--incident-start must be an ISO time/);
    });

    it("backup on a stack without replication outputs says what is missing", async () => {
        const file = `${world.dir}/norepl.json`;
        const { replication: _, ...rest } = world.outputs;
        fs.writeFileSync(file, JSON.stringify(rest));
        const r = await world.run(["backup", "--stack", world.stack, "--outputs", file, "--stacks-dir", world.stacksDir, "--state-dir", world.stateDir], { common: false });
        assert.equal(r.code, 2);
        assert.match(oneLine(r.err), /needs the stack's replication outputs/);
    });
});

describe("dr CLI conventions", () => {
    const world = new World();
    before(async () => { await world.start(); });
    after(async () => { await world.stop(); });

    it("--version prints the version; help shows examples and exit codes", async () => {
        const version = await world.run(["--version"], { common: false });
        assert.equal(version.code, 0);
        assert.equal(version.out.trim(), JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version);
        const help = await world.run(["--help"], { common: false });
        assert.equal(help.code, 0);
        for (const text of ["Examples:", "npm run dr -- failover --to gcp -s prod --dry-run", "Exit codes:", "  3  not confirmed"]) assert.ok(help.out.includes(text), `help shows ${text}:\n${help.out}`);
    });

    it("relative --outputs and --stacks-dir are taken from the user's directory under npm", async () => {
        const saved = { INIT_CWD: process.env.INIT_CWD, npm_package_json: process.env.npm_package_json };
        process.env.INIT_CWD = world.dir;
        process.env.npm_package_json = path.join(process.cwd(), "package.json");
        try {
            const r = await world.run(["status", "--stack", world.stack, "--outputs", path.relative(world.dir, world.outputsFile), "--stacks-dir", path.relative(world.dir, world.stacksDir)], { common: false });
            assert.notEqual(r.code, 2, r.err);
            const missing = await world.run(["status", "--stack", world.stack, "--outputs", "nothere.json", "--stacks-dir", world.stacksDir], { common: false });
            assert.match(oneLine(missing.err), new RegExp(`cannot read outputs file ${path.join(world.dir, "nothere.json").replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}`));
        } finally {
            for (const [k, v] of Object.entries(saved)) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
        }
    });
});
