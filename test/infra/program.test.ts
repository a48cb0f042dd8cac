import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { listStacks, planStack, PlanError } from "../../infra/plan";
import { Resources } from "./harness";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider payloads are untyped

/** A stacks folder holding prod's file with `edit` applied to its text. */
function variantOfProd(edit: (text: string) => string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
    const prod = fs.readFileSync(path.join(__dirname, "..", "..", "stacks", "Pulumi.prod.yaml"), "utf8");
    fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), edit(prod));
    return dir;
}

/** The serving Deployment on one cluster (the follower, kube-state-metrics and system Deployments are the others there). */
function appDeployment(r: Resources, cluster: "eks" | "gke"): Inputs {
    const apps = r.onCluster("kubernetes:apps/v1:Deployment", cluster).map((d) => d.inputs as Inputs).filter((d) => d.metadata.namespace === "langchain-ha" && d.metadata.name === "langchain-ha");
    assert.equal(apps.length, 1, `${cluster}: one app Deployment`);
    return apps[0]!;
}

describe("the program", () => {
    test("every stack file plans cleanly", async () => {
        const stacks = listStacks();
        assert.deepEqual(stacks, ["dev", "prod", "staging"]);
        for (const stack of stacks) {
            const plan = await planStack(stack);
            assert.ok(plan.resources.length > 100, `${stack}: ${plan.resources.length} resources`);
            assert.equal(plan.outputs.environment, stack);
        }
    });

    test("prod declares the no-single-point-of-failure architecture", async () => {
        const plan = await planStack("prod");
        const r = new Resources(plan.resources);
        const subnets = r.inputsOf("aws:ec2/subnet:Subnet").filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1");
        assert.equal(new Set(subnets.map((s) => s.availabilityZone)).size, 3, "3 private subnets in 3 distinct AZs");
        const privateIds = new Set(r.ofType("aws:ec2/subnet:Subnet").filter((s) => (s.inputs as Inputs).tags["kubernetes.io/role/internal-elb"] === "1").map((s) => s.id));
        const cluster = r.inputsOf("aws:eks/cluster:Cluster")[0]!;
        assert.deepEqual(new Set(cluster.vpcConfig.subnetIds), privateIds, "EKS over the private subnets");
        assert.ok(subnets.every((s) => s.tags[`kubernetes.io/cluster/${cluster.name}`] === "shared"), "subnets tagged for the cluster's load balancers");
        const groups = r.inputsOf("aws:eks/nodeGroup:NodeGroup");
        assert.deepEqual(new Set(groups.flatMap((g) => g.subnetIds)), privateIds, "node groups over the private subnets");
        assert.equal(r.ofType("aws:ec2/natGateway:NatGateway").length, 3);

        const gke = r.inputsOf("gcp:container/cluster:Cluster")[0]!;
        assert.match(gke.location, /^[a-z]+-[a-z]+\d$/, "GKE location is a region");

        for (const cluster of ["eks", "gke"] as const) {
            const sts = r.onCluster("kubernetes:apps/v1:StatefulSet", cluster).map((r) => r.inputs as Inputs);
            assert.equal(sts.length, 1);
            assert.ok(sts[0]!.spec.replicas >= 3, `${cluster}: Qdrant replicas`);
            const apiKey = sts[0]!.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "QDRANT__SERVICE__API_KEY");
            assert.deepEqual(apiKey?.valueFrom, { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } }, `${cluster}: Qdrant requires its API key`);
            const pdbs = r.onCluster("kubernetes:policy/v1:PodDisruptionBudget", cluster).map((r) => (r.inputs as Inputs).metadata.name);
            assert.ok(pdbs.includes("qdrant"), `${cluster}: Qdrant PDB`);
            const deployments = r.onCluster("kubernetes:apps/v1:Deployment", cluster).map((r) => r.inputs as Inputs).filter((d) => d.metadata.namespace === "langchain-ha").map((d) => d.metadata.name);
            assert.deepEqual(deployments.sort(), ["kube-state-metrics", "langchain-ha", "langchain-ha-follower"], `${cluster}: app, follower and kube-state-metrics Deployments`);
        }

        const s3Versioning = r.inputsOf("aws:s3/bucketVersioning:BucketVersioning");
        assert.deepEqual(s3Versioning.map((v) => v.versioningConfiguration.status), ["Enabled", "Enabled"], "backups and journal");
        assert.deepEqual(r.inputsOf("gcp:storage/bucket:Bucket").map((b) => b.versioning.enabled), [true, true]);
        assert.equal(r.ofType("gcp:storage/transferJob:TransferJob").length, 2);
        const cron = r.onCluster("kubernetes:batch/v1:CronJob", "eks").map((r) => r.inputs as Inputs).filter((c) => c.metadata.name === "qdrant-snapshots");
        assert.deepEqual(cron.map((c) => c.spec.schedule), ["*/30 * * * *"], "snapshots every half RPO (60 min)");
        assert.equal(cron[0]!.spec.jobTemplate.spec.template.spec.containers[0].image, "amazon/aws-cli:2.27.50");

        assert.equal(r.ofType("aws:route53/healthCheck:HealthCheck").length, 2);
        const failover = r.inputsOf("aws:route53/record:Record").filter((r) => r.failoverRoutingPolicies);
        assert.deepEqual(failover.map((r) => `${r.name} ${r.type} ${r.failoverRoutingPolicies[0].type}`).sort(), ["rag.example.com CNAME PRIMARY", "rag.example.com CNAME SECONDARY"]);
    });

    test("EKS gets a metrics server for its HPAs and a cluster autoscaler for its tagged node groups; GKE brings its own", async () => {
        const plan = await planStack("prod");
        const r = new Resources(plan.resources);
        const deployments = (cluster: "eks" | "gke") => r.onCluster("kubernetes:apps/v1:Deployment", cluster).map((d) => `${(d.inputs as Inputs).metadata.namespace}/${(d.inputs as Inputs).metadata.name}`).sort();
        assert.deepEqual(deployments("eks"), ["kube-system/cluster-autoscaler", "kube-system/metrics-server", "langchain-ha/kube-state-metrics", "langchain-ha/langchain-ha", "langchain-ha/langchain-ha-follower"]);
        assert.deepEqual(deployments("gke"), ["langchain-ha/kube-state-metrics", "langchain-ha/langchain-ha", "langchain-ha/langchain-ha-follower"]);
        assert.equal(r.onCluster("kubernetes:apiregistration.k8s.io/v1:APIService", "eks").length, 1);
        const autoscaler = r.onCluster("kubernetes:apps/v1:Deployment", "eks").find((d) => (d.inputs as Inputs).metadata.name === "cluster-autoscaler")!;
        assert.ok(((autoscaler.inputs as Inputs).spec.template.spec.containers[0].command as string[]).includes("--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/prod-eks"));
    });

    test("both namespaces deny ingress by default; Qdrant admits the service and the snapshot job", async () => {
        const r = new Resources((await planStack("prod")).resources);
        for (const cluster of ["eks", "gke"] as const) {
            const policies = r.onCluster("kubernetes:networking.k8s.io/v1:NetworkPolicy", cluster).map((p) => p.inputs as Inputs);
            const deny = policies.find((p) => p.metadata.name === "default-deny-ingress")!;
            assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ["Ingress"] }, cluster);
            assert.equal(deny.metadata.namespace, "langchain-ha");
            const qdrant = policies.find((p) => p.metadata.name === "qdrant")!;
            const clients = qdrant.spec.ingress[0].from.map((f: Inputs) => f.podSelector.matchLabels["app.kubernetes.io/name"] ?? Object.keys(f.podSelector.matchLabels)[0]);
            assert.deepEqual(clients, ["langchain-ha", "qdrant-snapshots", "langchain-ha/qdrant-client"], cluster);
        }
        const snapshotJob = r.onCluster("kubernetes:batch/v1:CronJob", "eks").map((j) => j.inputs as Inputs).find((j) => j.spec.jobTemplate.spec.template.metadata.labels["app.kubernetes.io/name"] === "qdrant-snapshots")!;
        const jobLabels = snapshotJob.spec.jobTemplate.spec.template.metadata.labels;
        const jobSelector = r.onCluster("kubernetes:networking.k8s.io/v1:NetworkPolicy", "eks").map((p) => p.inputs as Inputs).find((p) => p.metadata.name === "qdrant")!.spec.ingress[0].from[1].podSelector.matchLabels;
        for (const [k, v] of Object.entries(jobSelector)) assert.equal(jobLabels[k], v, "the policy selects the job's pods");
    });

    test("prod's outputs give the runbook what it needs", async () => {
        const { outputs } = await planStack("prod");
        for (const key of ["domain", "endpoints", "healthCheckIds", "backup", "replication", "kubeconfigs", "aws", "gcp", "rtoTargetSeconds", "rpoTargetMinutes", "alarmTopicArn"]) {
            assert.ok(outputs[key] !== undefined, `output ${key}`);
        }
        assert.equal(outputs.rtoTargetSeconds, 900);
        assert.ok((outputs.impliedRtoSeconds as number) <= (outputs.rtoTargetSeconds as number));
        assert.ok((outputs.worstCaseRpoMinutes as number) <= (outputs.rpoTargetMinutes as number));
    });

    test("pilot-light DR keeps Qdrant but runs no app pods on the standby", async () => {
        const plan = await planStack("dev");
        const r = new Resources(plan.resources);
        const standby = appDeployment(r, "gke");
        assert.equal(standby.spec.replicas, 0);
        assert.equal(standby.metadata.annotations["langchain-ha.io/failover-replicas"], "2");
        assert.equal(r.onCluster("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "gke").length, 0);
        assert.equal((r.onCluster("kubernetes:apps/v1:StatefulSet", "gke")[0]!.inputs as Inputs).spec.replicas, 3);
    });

    test("warm DR serves the standby with its reduced replica count", async () => {
        const plan = await planStack("prod");
        const r = new Resources(plan.resources);
        const hpa = r.onCluster("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "gke")[0]!.inputs as Inputs;
        assert.equal(hpa.spec.minReplicas, 2);
        assert.equal(appDeployment(r, "eks").spec.replicas, 3);
    });

    test("activeSide gcp swaps the failover roles, the replica counts and where snapshots run, without code changes", async () => {
        const dir = variantOfProd((t) => t.replace("activeSide: aws", "activeSide: gcp"));
        const plan = await planStack("prod", { stacksDir: dir });
        const r = new Resources(plan.resources);
        const primary = r.inputsOf("aws:route53/record:Record").find((r) => r.failoverRoutingPolicies?.[0].type === "PRIMARY")!;
        assert.deepEqual(primary.records, ["gcp.rag.example.com"]);
        assert.equal(appDeployment(r, "gke").spec.replicas, 3);
        assert.equal((r.onCluster("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "eks")[0]!.inputs as Inputs).spec.minReplicas, 2);
        assert.equal(r.onCluster("kubernetes:batch/v1:CronJob", "gke").length, 2, "Qdrant snapshots and logical snapshot sets");
        assert.equal(r.onCluster("kubernetes:batch/v1:CronJob", "eks").length, 0);
        assert.equal(plan.outputs.primaryCloud, "gcp");
    });

    test("a misspelt key in the stack file is named, not ignored", async () => {
        const dir = variantOfProd((t) => t.replace("  langchain-ha:backup:", "  langchain-ha:backups:"));
        await assert.rejects(planStack("prod", { stacksDir: dir }), /langchain-ha:backups is not a known setting/);
    });

    test("bad config fails before any resource, naming the key and the stack file", async () => {
        const dir = variantOfProd((t) => t.replace("mode: warm", "mode: hot"));
        await assert.rejects(planStack("prod", { stacksDir: dir }), (err: unknown) => {
            assert.ok(err instanceof PlanError);
            assert.match(err.message, /Pulumi\.prod\.yaml: langchain-ha:dr\.mode must be one of "warm", "pilot-light", got the text "hot"/);
            return true;
        });
    });

    test("an unknown stack names the stacks there are", async () => {
        await assert.rejects(planStack("qa"), { message: 'unknown stack "qa": no stacks/Pulumi.qa.yaml (stacks: dev, prod, staging)' });
    });

    test("a stack file that is not YAML, or whose values are not mappings, is a clear error", async () => {
        await assert.rejects(planStack("prod", { stacksDir: variantOfProd(() => "config: [unclosed") }), /is not valid YAML/);
        await assert.rejects(planStack("prod", { stacksDir: variantOfProd(() => "config:\n  langchain-ha:aws: us-east-1\n") }), /langchain-ha:aws must be a YAML mapping/);
        await assert.rejects(planStack("prod", { stacksDir: variantOfProd(() => "config:\n  environment: prod\n") }), /config key "environment" needs a namespace/);
    });
});

describe("the snapshot-set job reaches the service's admin routes through its NetworkPolicy", () => {
    test("on both clusters the service admits the job's pods on the plain port, beside the load balancer's port", async () => {
        const r = new Resources((await planStack("prod")).resources);
        for (const cluster of ["eks", "gke"] as const) {
            const policy = r.onCluster("kubernetes:networking.k8s.io/v1:NetworkPolicy", cluster).map((p) => p.inputs as Inputs).find((p) => p.metadata.name === "langchain-ha")!;
            const internal = policy.spec.ingress.find((rule: Inputs) => rule.from !== undefined);
            assert.deepEqual(internal.ports, [{ protocol: "TCP", port: 8080 }], cluster);
            const job = r.onCluster("kubernetes:batch/v1:CronJob", cluster).map((j) => j.inputs as Inputs).find((j) => j.metadata.name === "logical-snapshots");
            if (!job) continue; // the job runs on the active side only
            const podLabels = job.spec.jobTemplate.spec.template.metadata.labels;
            for (const [k, v] of Object.entries(internal.from[0].podSelector.matchLabels)) assert.equal(podLabels[k], v, `${cluster}: the policy selects the job's pods`);
        }
    });
});

describe("LLM model ids", () => {
    test("the program sets each provider's model on both sides, from the stack", async () => {
        const dir = variantOfProd((t) => t.replace("anthropic: claude-haiku-4-5", "anthropic: claude-sonnet-4-5"));
        const r = new Resources((await planStack("prod", { stacksDir: dir })).resources);
        for (const cluster of ["eks", "gke"] as const) {
            const env = Object.fromEntries((appDeployment(r, cluster).spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>).map((e) => [e.name, e.value]));
            assert.equal(env.OPENAI_MODEL, "gpt-5.4-mini", cluster);
            assert.equal(env.ANTHROPIC_MODEL, "claude-sonnet-4-5", cluster);
            assert.equal(env.GOOGLE_MODEL, "gemini-2.5-flash", cluster);
        }
    });

    test("the embedding provider, model and width reach the serving and the follower pods on both sides", async () => {
        const r = new Resources((await planStack("prod")).resources);
        for (const cluster of ["eks", "gke"] as const) {
            const deployments = r.onCluster("kubernetes:apps/v1:Deployment", cluster).map((d) => d.inputs as Inputs);
            const pods = deployments.filter((d) => ["langchain-ha", "langchain-ha-follower"].includes(d.metadata.name));
            assert.equal(pods.length, 2, `${cluster}: the service and its follower`);
            for (const pod of pods) {
                const env = Object.fromEntries((pod.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>).map((e) => [e.name, e.value]));
                assert.deepEqual([env.EMBEDDINGS_PROVIDER, env.EMBEDDINGS_MODEL, env.EMBEDDINGS_DIMENSIONS], ["openai", "text-embedding-3-small", "1536"], `${cluster} ${pod.metadata.name}`);
            }
        }
    });
});
