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

/** The serving Deployment on one cluster (the follower and kube-state-metrics are the others there). */
function appDeployment(r: Resources, cluster: "eks" | "gke"): Inputs {
    return r.onCluster("kubernetes:apps/v1:Deployment", cluster).map((d) => d.inputs as Inputs).find((d) => d.metadata.name === "langchain-ha")!;
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
            const pdbs = r.onCluster("kubernetes:policy/v1:PodDisruptionBudget", cluster).map((r) => (r.inputs as Inputs).metadata.name);
            assert.ok(pdbs.includes("qdrant"), `${cluster}: Qdrant PDB`);
            const deployments = r.onCluster("kubernetes:apps/v1:Deployment", cluster).map((r) => (r.inputs as Inputs).metadata.name);
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
            assert.match(err.message, /Pulumi\.prod\.yaml: langchain-ha:dr\.mode Invalid option: expected one of "warm"\|"pilot-light"/);
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
