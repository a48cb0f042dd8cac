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

describe("npm run plan: conventions, JSON, warnings", () => {
    const under = (cwd: string): NodeJS.ProcessEnv => ({ ...process.env, INIT_CWD: cwd, npm_package_json: path.join(ROOT, "package.json"), NO_COLOR: undefined, FORCE_COLOR: undefined });

    test("--version and -V print the version", async () => {
        for (const flag of ["--version", "-V"]) {
            const r = await plan([flag]);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout.trim(), JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version);
        }
    });

    test("--help shows the short flags, examples and exit codes", async () => {
        const r = await plan(["--help"]);
        assert.equal(r.code, 0, r.stderr);
        for (const text of ["-s, --stack <name>", "-e, --export <file>", "-f, --format <format>", "Examples:", "npm run -s plan -- -s prod -f json", "Exit codes:", "  2  bad input"]) {
            assert.ok(r.stdout.includes(text), `help shows ${text}:\n${r.stdout}`);
        }
    });

    test("errors are red only when colour is asked for, and never with NO_COLOR", async () => {
        const piped = await plan(["--stack", "prod", "--fast"]);
        assert.equal(piped.stderr, "plan: unknown option '--fast'\n");
        const env = { ...process.env, FORCE_COLOR: "1", NO_COLOR: "" };
        const forced = await runProcess(process.execPath, ["--import", "tsx", path.join(ROOT, "infra", "plan", "cli.ts"), "-s", "prod", "--fast"], { cwd: ROOT, env });
        assert.equal(forced.stderr, "\u001b[31mplan:\u001b[0m unknown option '--fast'\n");
        const noColour = await runProcess(process.execPath, ["--import", "tsx", path.join(ROOT, "infra", "plan", "cli.ts"), "-s", "prod", "--fast"], { cwd: ROOT, env: { ...env, NO_COLOR: "1" } });
        assert.equal(noColour.stderr, "plan: unknown option '--fast'\n");
    });

    test("refuses a secret in plain text in the stack file, naming the key", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
        const dev = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), `${dev}  langchain-ha:openaiApiKey: sk-proj-abcdefghijklmnopqrstuvwx\n`);
        const r = await plan(["--stack", "dev", "--stacks-dir", dir]);
        assert.equal(r.code, 2);
        assert.equal(r.stderr.trim().split("\n").length, 1);
        assert.match(r.stderr, /^plan: .*Pulumi\.dev\.yaml: langchain-ha:openaiApiKey holds a secret in plain text: take it out of the file, rotate it \(the repository's history keeps it\), and set it with `pulumi config set --secret langchain-ha:openaiApiKey \.\.\.`\n$/);
    });

    test("--format json: decisions that change cost, warnings for unsafe values, relative paths from the user's directory, mock names in the stack's region", async () => {
        const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "plan-cwd-"));
        fs.mkdirSync(path.join(cwd, "stacks"));
        const dev = fs.readFileSync(path.join(ROOT, "stacks", "Pulumi.dev.yaml"), "utf8");
        const changed = dev.replace("storageGi: 10", "storageGi: 25").replace(/\n {4}image: ghcr\.io\/acme\/langchain-ha:0\.1\.0 # PLACEHOLDER\n/, "\n");
        assert.notEqual(changed, dev);
        fs.writeFileSync(path.join(cwd, "stacks", "Pulumi.dev.yaml"), changed);
        const r = await runProcess(process.execPath, ["--import", "tsx", path.join(ROOT, "infra", "plan", "cli.ts"), "-s", "dev", "--stacks-dir", "stacks", "-f", "json", "-e", "out/dev.json"], { cwd: ROOT, env: under(cwd) });
        assert.equal(r.code, 2, "out/ does not exist yet");
        fs.mkdirSync(path.join(cwd, "out"));
        const ok = await runProcess(process.execPath, ["--import", "tsx", path.join(ROOT, "infra", "plan", "cli.ts"), "-s", "dev", "--stacks-dir", "stacks", "-f", "json", "-e", "out/dev.json"], { cwd: ROOT, env: under(cwd) });
        assert.equal(ok.code, 0, ok.stderr);
        const doc = JSON.parse(ok.stdout);
        assert.equal(doc.stack, "dev");
        assert.equal(doc.decisions.storage.qdrantGiPerPeer, 25);
        assert.equal(doc.decisions.dr.mode, "pilot-light");
        assert.match(doc.decisions.dr.failover, /^only through the runbook/);
        assert.equal(doc.decisions.images.appDefaulted, true);
        assert.equal(doc.decisions.compute.eks.capacityType, "SPOT");
        assert.equal(doc.decisions.compute.gke.deletionProtection, false);
        assert.deepEqual(doc.decisions.llm.primary, "openai");
        assert.equal(doc.decisions.alarms.email, null);
        const keys = (doc.warnings as { key: string; message: string }[]).map((w) => `${w.key} ${w.message}`);
        assert.ok(keys.some((k) => k.startsWith("langchain-ha:dns.hostedZoneId is a placeholder (Z0PLACEHOLDER000003)")), keys.join("\n"));
        assert.ok(keys.some((k) => k.startsWith("langchain-ha:dns.alarmEmail is not set: the alarm topic has no subscriber")), keys.join("\n"));
        assert.ok(keys.some((k) => k.startsWith("langchain-ha:app.image is not set, so the service runs the default ghcr.io/langchain-ha/app:0.1.0, which nobody chose")), keys.join("\n"));
        const exported = fs.readFileSync(path.join(cwd, "out", "dev.json"), "utf8");
        assert.ok(exported.includes(".elb.eu-west-1.amazonaws.com") && exported.includes(".gr7.eu-west-1.eks.amazonaws.com"), "mock names in dev's region");
        assert.ok(!exported.includes(".elb.us-east-1."), "no load balancer named in us-east-1");
        assert.ok(exported.includes("arn:aws:sns:us-east-1:"), "the alarm topic stays in us-east-1, where Route53's metrics are");
        assert.match(ok.stderr, /Wrote \d+ resources to out\/dev\.json\./);
    });
});
