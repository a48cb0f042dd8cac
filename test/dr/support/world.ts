import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../../../infra/dr/cli";
import { KubeStandIn } from "../../../infra/dr/local/kubeStandIn";
import { Route53StandIn } from "../../../infra/dr/local/route53StandIn";
import type { Io } from "../../../infra/dr/runner/io";
import { ServiceStandIn, type ServiceState } from "./serviceStandIn";

const REPO = path.resolve(__dirname, "..", "..", "..");
export const TOKEN = "admin-token-for-tests";
const DOMAIN = "rag.example.com";

const standby = (): ServiceState => ({ role: "standby", epoch: 1, fenced: false, position: { epoch: 1, seq: 40 }, head: { epoch: 1, seq: 41 }, lagSeconds: 1.5, fitForFailover: true, reason: "caught up", healthStatus: 200, plannedConflict: false });
const active = (): ServiceState => ({ role: "active", epoch: 1, fenced: false, position: { epoch: 1, seq: 41 }, head: { epoch: 1, seq: 41 }, lagSeconds: 0, fitForFailover: true, reason: "writer", healthStatus: 200, plannedConflict: false });

/**
 * A whole stack on loopback for the runbook's tests: Route53, both clusters and both services as
 * stand-ins, a stack file copied to a temporary stacks folder, and an outputs file pointing at
 * them. `run` goes through the CLI's own parser, in-process.
 */
export class World {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "dr-test-"));
    readonly stacksDir = path.join(this.dir, "stacks");
    readonly stateDir = path.join(this.dir, "state");
    readonly outputsFile = path.join(this.dir, "outputs.json");
    readonly snapshotDirs = { aws: path.join(this.dir, "snap-aws"), gcp: path.join(this.dir, "snap-gcp") };
    dns!: Route53StandIn;
    kube!: { aws: KubeStandIn; gcp: KubeStandIn };
    service!: { aws: ServiceStandIn; gcp: ServiceStandIn };
    outputs!: Record<string, unknown>;

    constructor(readonly stack = "staging", readonly drMode: "warm" | "pilot-light" = "warm") {}

    async start(o: { replication?: boolean } = {}): Promise<this> {
        fs.mkdirSync(this.stacksDir);
        fs.copyFileSync(path.join(REPO, "stacks", `Pulumi.${this.stack}.yaml`), path.join(this.stacksDir, `Pulumi.${this.stack}.yaml`));
        const bounds = { lifetimeMs: 120_000, maxRequests: 5_000 };
        this.service = { aws: await new ServiceStandIn(active(), TOKEN).start(), gcp: await new ServiceStandIn(standby(), TOKEN).start() };
        this.service.aws.state.snapshotDir = this.snapshotDirs.aws;
        this.service.gcp.state.snapshotDir = this.snapshotDirs.gcp;
        // A promotion fences the other side, as the journal's epochs do.
        this.service.gcp.onPromote = () => { if (this.service.aws.state.role === "active") this.service.aws.state.fenced = true; };
        this.service.aws.onPromote = () => { if (this.service.gcp.state.role === "active") this.service.gcp.state.fenced = true; };
        this.kube = { aws: await new KubeStandIn("langchain-ha", bounds).start(), gcp: await new KubeStandIn("langchain-ha", bounds).start() };
        this.kube.aws.deployments.set("langchain-app", { replicas: 3, readyReplicas: 3 });
        this.kube.aws.autoscalers.set("langchain-app", { minReplicas: 3, maxReplicas: 12 });
        this.kube.gcp.deployments.set("langchain-app", { replicas: this.drMode === "warm" ? 2 : 0, readyReplicas: this.drMode === "warm" ? 2 : 0 });
        if (this.drMode === "warm") this.kube.gcp.autoscalers.set("langchain-app", { minReplicas: 2, maxReplicas: 12 });
        this.dns = await new Route53StandIn({
            hostedZoneId: "Z0TEST0000001",
            checks: [
                { id: "hc-aws", endpoint: `${this.service.aws.url}/health`, intervalSeconds: 10, failureThreshold: 3 },
                { id: "hc-gcp", endpoint: `${this.service.gcp.url}/health`, intervalSeconds: 10, failureThreshold: 3 },
            ],
            records: [
                { name: DOMAIN, type: "CNAME", setIdentifier: "aws-primary", failover: "PRIMARY", ttl: 30, value: `aws.${DOMAIN}`, healthCheckId: "hc-aws" },
                { name: DOMAIN, type: "CNAME", setIdentifier: "gcp-secondary", failover: "SECONDARY", ttl: 30, value: `gcp.${DOMAIN}`, healthCheckId: "hc-gcp" },
            ],
            probe: false,
            ...bounds,
        }).start();
        const environment = /environment: (\S+)/.exec(fs.readFileSync(path.join(this.stacksDir, `Pulumi.${this.stack}.yaml`), "utf8"))![1];
        this.outputs = {
            environment, activeSide: "aws", drMode: this.drMode, domain: DOMAIN, hostedZoneId: "Z0TEST0000001",
            regionalNames: { aws: `aws.${DOMAIN}`, gcp: `gcp.${DOMAIN}` },
            healthCheckIds: { aws: "hc-aws", gcp: "hc-gcp" },
            kubeconfigs: { aws: this.kube.aws.kubeconfig(), gcp: this.kube.gcp.kubeconfig() },
            namespace: "langchain-ha", appDeployment: "langchain-app",
            appReplicas: { active: 3, standby: this.drMode === "warm" ? 2 : 0 },
            rtoTargetSeconds: 900, rpoTargetMinutes: 60,
            ...(o.replication === false ? {} : { replication: { journals: { aws: "file:///j/aws", gcp: "file:///j/gcp" }, snapshotSets: { aws: [`file://${this.snapshotDirs.aws}`], gcp: [`file://${this.snapshotDirs.gcp}`] }, adminToken: { secretName: "langchain-app-secrets", key: "ADMIN_TOKEN" } } }),
        };
        fs.writeFileSync(this.outputsFile, JSON.stringify(this.outputs));
        process.env.AWS_ACCESS_KEY_ID ??= "standin";
        process.env.AWS_SECRET_ACCESS_KEY ??= "standin";
        return this;
    }

    env(): NodeJS.ProcessEnv {
        return { ...process.env, AWS_ENDPOINT_URL_ROUTE_53: this.dns.url, DR_SERVICE_URL_AWS: this.service.aws.url, DR_SERVICE_URL_GCP: this.service.gcp.url, DR_ADMIN_TOKEN: TOKEN };
    }

    /** Runs `dr <args>` with this world's stack, outputs and state; answers a confirmation with `confirm`. */
    async run(args: string[], o: { confirm?: boolean; common?: boolean } = {}): Promise<{ code: number; out: string; err: string }> {
        let out = "";
        let err = "";
        const io: Io = { out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; }, confirm: async () => o.confirm ?? false };
        const common = o.common === false ? [] : ["--stack", this.stack, "--outputs", this.outputsFile, "--stacks-dir", this.stacksDir, ...(args[0] === "status" ? [] : ["--state-dir", this.stateDir])];
        const code = await runCli([...args, ...common], { io, env: this.env() });
        return { code, out, err };
    }

    stackFile(): string {
        return fs.readFileSync(path.join(this.stacksDir, `Pulumi.${this.stack}.yaml`), "utf8");
    }

    audit(): Record<string, unknown>[] {
        const file = path.join(this.stateDir, "audit.jsonl");
        return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>) : [];
    }

    async stop(): Promise<void> {
        await Promise.all([this.dns.stop(), this.kube.aws.stop(), this.kube.gcp.stop(), this.service.aws.stop(), this.service.gcp.stop()]);
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}
