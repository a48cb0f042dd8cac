import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { SNAPSHOT_POD_SELECTOR, SNAPSHOT_SCRIPT, SNAPSHOT_SERVICE_ACCOUNT, SnapshotJob, type SnapshotJobArgs } from "../../infra/backup/snapshotJob";
import { declare, type Resources } from "./harness";

/**
 * Every value SnapshotJob declares, written out by hand: when the job runs and how long it may,
 * which identity it runs as, and every variable the snapshot script reads. A lost variable or
 * a changed deadline loses backups silently. Loads only the Kubernetes SDK (it runs per mutant).
 */

const LABELS = {
    "app.kubernetes.io/name": "qdrant-snapshots",
    "app.kubernetes.io/instance": "qdrant-snapshots",
    "app.kubernetes.io/component": "backup",
    "app.kubernetes.io/part-of": "langchain-ha",
    "app.kubernetes.io/managed-by": "pulumi",
};

const COMMON = {
    namespace: "langchain-ha",
    schedule: "*/20 * * * *",
    collection: "documents",
    peers: 3,
    headlessHost: "qdrant-headless.langchain-ha.svc.cluster.local",
    s3BucketName: "snapshots-s3",
    s3KmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k1",
    gcsBucketName: "snapshots-gcs",
    image: "amazon/aws-cli:2.27.50",
    apiKeySecretName: "qdrant-api-key",
};

const TO_S3: SnapshotJobArgs = { ...COMMON, target: { kind: "s3", roleArn: "arn:aws:iam::123456789012:role/snapshots" } };
const TO_GCS: SnapshotJobArgs = {
    ...COMMON,
    namespace: "langchain-dr",
    peers: 5,
    target: { kind: "gcs", googleServiceAccountEmail: "snap@acme.iam.gserviceaccount.com", awsRoleArn: "arn:aws:iam::123456789012:role/federated", awsAudience: "langchain-ha-prod-snapshots" },
};

function env(peers: string, target: string) {
    return [
        { name: "COLLECTION", value: "documents" },
        { name: "PEERS", value: peers },
        { name: "HEADLESS_HOST", value: "qdrant-headless.langchain-ha.svc.cluster.local" },
        { name: "QDRANT_PORT", value: "6333" },
        { name: "TARGET", value: target },
        { name: "S3_BUCKET", value: "snapshots-s3" },
        { name: "KMS_KEY_ID", value: "arn:aws:kms:us-east-1:123456789012:key/k1" },
        { name: "GCS_BUCKET", value: "snapshots-gcs" },
        { name: "HOME", value: "/tmp" },
        { name: "QDRANT_API_KEY", valueFrom: { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } } },
    ];
}

let s3Run: Promise<Resources> | undefined;
const toS3 = () => (s3Run ??= declare(() => new SnapshotJob("job", TO_S3)));

describe("SnapshotJob (exact)", () => {
    test("the CronJob: on schedule, never two at once, 5 min to start, 2 retries within an hour, the script from its ConfigMap", async () => {
        assert.deepEqual((await toS3()).one("kubernetes:batch/v1:CronJob"), {
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: { name: "qdrant-snapshots", namespace: "langchain-ha", labels: LABELS },
            spec: {
                schedule: "*/20 * * * *",
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: 300,
                successfulJobsHistoryLimit: 3,
                failedJobsHistoryLimit: 5,
                jobTemplate: {
                    spec: {
                        backoffLimit: 2,
                        activeDeadlineSeconds: 3600,
                        template: {
                            metadata: { labels: LABELS },
                            spec: {
                                serviceAccountName: "qdrant-snapshots",
                                restartPolicy: "Never",
                                securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
                                containers: [{
                                    name: "snapshot",
                                    image: "amazon/aws-cli:2.27.50",
                                    command: ["/bin/bash", "/scripts/snapshot.sh"],
                                    env: env("3", "s3"),
                                    resources: { requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "64Mi" }, limits: { memory: "512Mi", "ephemeral-storage": "128Mi" } },
                                    securityContext: {
                                        runAsNonRoot: true,
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        capabilities: { drop: ["ALL"] },
                                        seccompProfile: { type: "RuntimeDefault" },
                                    },
                                    volumeMounts: [{ name: "scripts", mountPath: "/scripts" }, { name: "tmp", mountPath: "/tmp" }],
                                }],
                                volumes: [{ name: "scripts", configMap: { name: "qdrant-snapshot-script" } }, { name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
                            },
                        },
                    },
                },
            },
        });
    });

    test("to S3: the service account carries the IRSA role; the ConfigMap ships the script as it is on disk", async () => {
        const r = await toS3();
        assert.deepEqual(r.one("kubernetes:core/v1:ServiceAccount"), {
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "qdrant-snapshots", namespace: "langchain-ha", labels: LABELS, annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/snapshots" } },
        });
        const script = fs.readFileSync(path.join(__dirname, "..", "..", "infra", "backup", "snapshot.sh"), "utf8");
        assert.equal(SNAPSHOT_SCRIPT, script);
        assert.deepEqual(r.one("kubernetes:core/v1:ConfigMap"), {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "qdrant-snapshot-script", namespace: "langchain-ha", labels: LABELS },
            data: { "snapshot.sh": script },
        });
    });

    test("to GCS: the service account acts as the Google account, and the job also gets the federated AWS role and its audience", async () => {
        const r = await declare(() => new SnapshotJob("job", TO_GCS));
        assert.deepEqual(r.one("kubernetes:core/v1:ServiceAccount").metadata, {
            name: "qdrant-snapshots",
            namespace: "langchain-dr",
            labels: LABELS,
            annotations: { "iam.gke.io/gcp-service-account": "snap@acme.iam.gserviceaccount.com" },
        });
        const cronJob = r.one("kubernetes:batch/v1:CronJob");
        assert.equal(cronJob.metadata.namespace, "langchain-dr");
        assert.deepEqual(cronJob.spec.jobTemplate.spec.template.spec.containers[0].env, [
            ...env("5", "gcs"),
            { name: "AWS_ROLE_ARN", value: "arn:aws:iam::123456789012:role/federated" },
            { name: "AWS_WEB_IDENTITY_AUDIENCE", value: "langchain-ha-prod-snapshots" },
        ]);
    });

    test("its output and children; the names other components select it by", async () => {
        const r = await toS3();
        const component = r.ofType("langchain-ha:backup:SnapshotJob");
        assert.equal(component.length, 1);
        const children = r.all.filter((x) => x.custom);
        assert.equal(children.length, 3);
        for (const c of children) assert.equal(c.parent, component[0]!.urn, `${c.type} under the component`);
        assert.deepEqual(component[0]!.outputs, { cronJobName: "qdrant-snapshots" });
        assert.equal(SNAPSHOT_SERVICE_ACCOUNT, "qdrant-snapshots");
        assert.deepEqual(SNAPSHOT_POD_SELECTOR, { "app.kubernetes.io/name": "qdrant-snapshots", "app.kubernetes.io/instance": "qdrant-snapshots" });
    });

    test("refuses a job with no peer to snapshot; one peer is enough", async () => {
        assert.throws(() => new SnapshotJob("job", { ...TO_S3, peers: 0 }), { message: "SnapshotJob job: peers must be at least 1" });
        const r = await declare(() => new SnapshotJob("job", { ...TO_S3, peers: 1 }));
        assert.deepEqual(r.one("kubernetes:batch/v1:CronJob").spec.jobTemplate.spec.template.spec.containers[0].env[1], { name: "PEERS", value: "1" });
    });
});
