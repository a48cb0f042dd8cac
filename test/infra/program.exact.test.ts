import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { planStack } from "../../infra/plan";
import { envOf, Resources } from "./harness";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider payloads are untyped

/**
 * The prod stack as the program declares it, with exact values taken from
 * stacks/Pulumi.prod.yaml by hand: the service's environment, what selects its pods, the
 * backups' retention and the worst-case RPO.
 */
let r: Resources;
let outputs: Record<string, unknown>;
before(async () => {
    const plan = await planStack("prod");
    r = new Resources(plan.resources);
    outputs = plan.outputs;
});

function appDeployment(cluster: "eks" | "gke"): Inputs {
    const found = r.onCluster("kubernetes:apps/v1:Deployment", cluster).map((d) => d.inputs as Inputs).filter((d) => d.metadata.name === "langchain-ha");
    assert.equal(found.length, 1);
    return found[0]!;
}

/** What prod's stack file says the service must be told, side by side. */
const SERVICE_ENV = {
    eks: { REGION_NAME: "us-east-1", ROLE: "active" },
    gke: { REGION_NAME: "europe-west1", ROLE: "standby" },
};

describe("prod (exact)", () => {
    for (const cluster of ["eks", "gke"] as const) {
        test(`${cluster}: the service creates its collection replicated as the stack says and talks to its own cluster's Qdrant`, () => {
            const env = envOf(appDeployment(cluster).spec.template.spec.containers[0]);
            const keys = ["REGION_NAME", "QDRANT_URL", "QDRANT_COLLECTION", "QDRANT_REPLICATION_FACTOR", "QDRANT_WRITE_CONSISTENCY_FACTOR", "QDRANT_SHARD_NUMBER", "LLM_PRIMARY", "LLM_SECONDARY", "OPENAI_MODEL", "ANTHROPIC_MODEL", "GOOGLE_MODEL", "ROLE", "PORT", "DATA_DIR"];
            assert.deepEqual(Object.fromEntries(keys.map((k) => [k, env[k]])), {
                REGION_NAME: SERVICE_ENV[cluster].REGION_NAME,
                QDRANT_URL: "http://qdrant.langchain-ha.svc.cluster.local:6333",
                QDRANT_COLLECTION: "documents",
                // qdrant.replicationFactor 2, writeConsistencyFactor 1, one shard per peer (replicas 3).
                QDRANT_REPLICATION_FACTOR: "2",
                QDRANT_WRITE_CONSISTENCY_FACTOR: "1",
                QDRANT_SHARD_NUMBER: "3",
                LLM_PRIMARY: "openai",
                LLM_SECONDARY: "anthropic",
                OPENAI_MODEL: "gpt-5.4-mini",
                ANTHROPIC_MODEL: "claude-haiku-4-5",
                GOOGLE_MODEL: "gemini-2.5-flash",
                ROLE: SERVICE_ENV[cluster].ROLE,
                PORT: "8080",
                DATA_DIR: "/data",
            });
        });

        test(`${cluster}: the public Service and the zone spread select the service's pods`, () => {
            const deployment = appDeployment(cluster);
            const podLabels: Record<string, string> = deployment.spec.template.metadata.labels;
            const services = r.onCluster("kubernetes:core/v1:Service", cluster).map((s) => s.inputs as Inputs).filter((s) => s.spec.type === "LoadBalancer");
            assert.equal(services.length, 1, "one public Service per cluster");
            const selector: Record<string, string> = services[0]!.spec.selector;
            assert.deepEqual(selector, { "app.kubernetes.io/name": "langchain-ha", "app.kubernetes.io/instance": "langchain-ha" });
            assert.ok(Object.entries(selector).every(([k, v]) => podLabels[k] === v));
            const zone = deployment.spec.template.spec.topologySpreadConstraints.filter((c: Inputs) => c.topologyKey === "topology.kubernetes.io/zone");
            assert.equal(zone.length, 1);
            assert.equal(zone[0].whenUnsatisfiable, "DoNotSchedule");
            assert.deepEqual(zone[0].labelSelector.matchLabels, selector);
        });

        test(`${cluster}: Qdrant keeps its claims on scale-down and mounts its snapshot volume`, () => {
            const sts = r.onCluster("kubernetes:apps/v1:StatefulSet", cluster).map((s) => s.inputs as Inputs).filter((s) => s.metadata.name === "qdrant");
            assert.equal(sts.length, 1);
            assert.deepEqual(sts[0]!.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
            const mounts = sts[0]!.spec.template.spec.containers[0].volumeMounts;
            assert.deepEqual(mounts.filter((m: Inputs) => m.name === "snapshots"), [{ name: "snapshots", mountPath: "/qdrant/snapshots" }]);
            // storageGi 200: the snapshot claim is half of it.
            assert.deepEqual(sts[0]!.spec.volumeClaimTemplates.map((t: Inputs) => [t.metadata.name, t.spec.resources.requests.storage]), [["storage", "200Gi"], ["snapshots", "100Gi"]]);
        });
    }

    test("the snapshot job runs on the active side (aws) with Qdrant's API key from the secret Qdrant reads", () => {
        const jobs = r.onCluster("kubernetes:batch/v1:CronJob", "eks").map((j) => j.inputs as Inputs).filter((j) => j.metadata.name === "qdrant-snapshots");
        assert.equal(jobs.length, 1);
        assert.equal(r.onCluster("kubernetes:batch/v1:CronJob", "gke").filter((j) => (j.inputs as Inputs).metadata.name === "qdrant-snapshots").length, 0);
        const env = jobs[0]!.spec.jobTemplate.spec.template.spec.containers[0].env as Inputs[];
        assert.deepEqual(env.find((e) => e.name === "QDRANT_API_KEY"), { name: "QDRANT_API_KEY", valueFrom: { secretKeyRef: { key: "api-key", name: "qdrant-api-key" } } });
        const qdrant = r.onCluster("kubernetes:apps/v1:StatefulSet", "eks").map((s) => s.inputs as Inputs).find((s) => s.metadata.name === "qdrant")!;
        const served = (qdrant.spec.template.spec.containers[0].env as Inputs[]).find((e) => e.name === "QDRANT__SERVICE__API_KEY");
        assert.deepEqual(served?.valueFrom, { secretKeyRef: { key: "api-key", name: "qdrant-api-key" } });
        // Snapshots every 30 min: half of the 60 min RPO, in event mode.
        assert.equal(jobs[0]!.spec.schedule, "*/30 * * * *");
    });

    test("the backups expire after 35 days (30 for replaced versions) in S3 and in the GCS copy", () => {
        const gcs = r.ofType("gcp:storage/bucket:Bucket").filter((b) => b.name === "prod-backup-transfer-gcs");
        assert.equal(gcs.length, 1);
        assert.deepEqual((gcs[0]!.inputs as Inputs).lifecycleRules, [
            { action: { type: "Delete" }, condition: { age: 35, withState: "LIVE" } },
            { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
        ]);
        assert.deepEqual((gcs[0]!.inputs as Inputs).versioning, { enabled: true });
        const s3 = r.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").filter((l) => l.name.startsWith("prod-backup-s3"));
        assert.equal(s3.length, 1);
        const rules = (s3[0]!.inputs as Inputs).rules as Inputs[];
        assert.deepEqual(rules.map((x) => [x.status, x.expiration?.days, x.noncurrentVersionExpiration?.noncurrentDays]).filter(([, d]) => d !== undefined), [["Enabled", 35, 30]]);
    });

    test("the worst-case RPO is the 30 min snapshot interval plus the 5 min event-transfer delay", () => {
        assert.equal(outputs.rpoTargetMinutes, 60);
        assert.equal(outputs.worstCaseRpoMinutes, 35);
    });
});
