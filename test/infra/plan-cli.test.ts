import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runProcess } from "../support/process";

const ROOT = path.join(__dirname, "..", "..");

function plan(args: string[]) {
    return runProcess(process.execPath, ["--import", "tsx", path.join(ROOT, "infra", "plan", "cli.ts"), ...args], { cwd: ROOT });
}

describe("npm run plan", () => {
    test("prints the summary and writes a version-3 stack export", async () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "prod.json");
        const { code, stdout, stderr } = await plan(["--stack", "prod", "--export", file]);
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^Stack prod: \d+ resources/);
        assert.match(stdout, /us-east-1a: 2 subnets, 1 NAT gateway/);
        assert.match(stdout, /DNS rag\.example\.com: PRIMARY -> aws\.rag\.example\.com, SECONDARY -> gcp\.rag\.example\.com/);
        assert.match(stdout, /RTO target 15\.0 min; the settings imply 60 s/);
        assert.match(stdout, /Replication: aws writes the journal, the other side's followers apply it \(lease langchain-ha-follower, 2 followers per side\)/);
        assert.match(stdout, /  gcp: journal gs:\/\/\S+\/journal\/gcp; reads s3:\/\/\S+\/journal\/aws, gs:\/\/\S+\/journal\/aws/);
        assert.match(stdout, /journal entries expire after 8 days; snapshot sets \*\/30 \* \* \* \* on aws; standby unfit for failover past 3600 s of lag/);
        assert.match(stdout, /gke {2}Deployment langchain-ha-follower: 2 replicas, PDB/);
        const exported = JSON.parse(fs.readFileSync(file, "utf8"));
        assert.equal(exported.version, 3);
        const resources = exported.deployment.resources as Record<string, unknown>[];
        assert.equal(resources[0]!.type, "pulumi:pulumi:Stack");
        const group = resources.find((r) => r.type === "aws:eks/nodeGroup:NodeGroup")!;
        for (const field of ["urn", "id", "type", "custom", "inputs", "outputs", "parent", "provider", "dependencies", "propertyDependencies"]) {
            assert.ok(field in group, `exported resource has ${field}`);
        }
        assert.match(group.urn as string, /^urn:pulumi:prod::langchain-ha::langchain-ha:aws:EksCluster\$aws:eks\/nodeGroup:NodeGroup::/);
        assert.match(group.provider as string, /^urn:pulumi:prod::langchain-ha::pulumi:providers:aws::prod-aws::/);
        const secret = resources.find((r) => r.type === "kubernetes:core/v1:Secret")!;
        assert.equal(JSON.stringify(secret.inputs).includes("<secret"), false, "secret values never reach the export");
    });

    const bad: [string, string[], RegExp][] = [
        ["an unknown stack", ["--stack", "qa"], /^plan: unknown stack "qa": no stacks\/Pulumi\.qa\.yaml \(stacks: dev, prod, staging\)\n$/],
        ["a malformed stack name", ["--stack", "../etc"], /^plan: "\.\.\/etc" is not a valid stack name/],
        ["no --stack", [], /^plan: required option '-s, --stack <name>' not specified\n$/],
        ["an unknown flag", ["--stack", "prod", "--fast"], /^plan: unknown option '--fast'\n$/],
        ["an unwritable export path", ["--stack", "dev", "--export", "/nonexistent/dir/x.json"], /^plan: cannot write \/nonexistent\/dir\/x\.json: ENOENT\n$/],
    ];
    for (const [what, args, message] of bad) {
        test(`exits 2 with one line on ${what}`, async () => {
            const { code, stderr } = await plan(args);
            assert.equal(code, 2);
            assert.match(stderr, message);
            assert.equal(stderr.trim().split("\n").length, 1);
        });
    }

    test("exits 2 naming the key on bad config", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        const prod = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.prod.yaml"), "utf8");
        fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), prod.replace("replicas: 3\n    storageGi", "replicas: 0\n    storageGi"));
        const { code, stderr } = await plan(["--stack", "prod", "--stacks-dir", dir]);
        assert.equal(code, 2);
        assert.ok(stderr.startsWith(`plan: ${path.relative(ROOT, path.join(dir, "Pulumi.prod.yaml"))}: langchain-ha:qdrant.replicas must be at least 3`), stderr);
    });
});
