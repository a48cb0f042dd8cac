import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { QDRANT } from "../../app/src/contract";
import { RESTRICTED_CONTAINER, selectorLabels, workloadLabels } from "../k8s/labels";

/** The job's script, shipped beside this module (a static asset, read once at load). */
export const SNAPSHOT_SCRIPT = fs.readFileSync(path.join(__dirname, "snapshot.sh"), "utf8");

export const SNAPSHOT_SERVICE_ACCOUNT = "qdrant-snapshots";
/** The job's pods, as Qdrant's NetworkPolicy selects them. */
export const SNAPSHOT_POD_SELECTOR = selectorLabels(SNAPSHOT_SERVICE_ACCOUNT);

export type SnapshotTarget =
    /** Upload to S3 with the pod's IRSA role; Storage Transfer copies it to GCS. */
    | { kind: "s3"; roleArn: pulumi.Input<string> }
    /** Upload to GCS with Workload Identity, and to S3 through a federated AWS role. */
    | { kind: "gcs"; googleServiceAccountEmail: pulumi.Input<string>; awsRoleArn: pulumi.Input<string>; awsAudience: pulumi.Input<string> };

export interface SnapshotJobArgs {
    namespace: pulumi.Input<string>;
    /** Cron schedule derived from the stack's RPO. */
    schedule: string;
    collection: string;
    peers: number;
    headlessHost: pulumi.Input<string>;
    s3BucketName: pulumi.Input<string>;
    s3KmsKeyArn: pulumi.Input<string>;
    gcsBucketName: pulumi.Input<string>;
    target: SnapshotTarget;
    /** Image with bash, curl and the AWS CLI. */
    image: string;
    /** Secret with key `api-key`: Qdrant's API key. */
    apiKeySecretName: pulumi.Input<string>;
}

/**
 * A CronJob that snapshots every Qdrant peer and uploads the set, never two runs at once,
 * with a deadline so a stuck run cannot block the next one forever.
 */
export class SnapshotJob extends pulumi.ComponentResource {
    public readonly cronJobName: pulumi.Output<string>;

    constructor(name: string, args: SnapshotJobArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.peers < 1) throw new Error(`SnapshotJob ${name}: peers must be at least 1`);
        super("langchain-ha:backup:SnapshotJob", name, {}, opts);
        const parent = { parent: this };
        const labels = workloadLabels(SNAPSHOT_SERVICE_ACCOUNT, "backup");

        const annotations: Record<string, pulumi.Input<string>> = args.target.kind === "s3"
            ? { "eks.amazonaws.com/role-arn": args.target.roleArn }
            : { "iam.gke.io/gcp-service-account": args.target.googleServiceAccountEmail };
        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: SNAPSHOT_SERVICE_ACCOUNT, namespace: args.namespace, labels, annotations },
        }, parent);
        const script = new k8s.core.v1.ConfigMap(`${name}-script`, {
            metadata: { name: "qdrant-snapshot-script", namespace: args.namespace, labels },
            data: { "snapshot.sh": SNAPSHOT_SCRIPT },
        }, parent);

        const env: k8s.types.input.core.v1.EnvVar[] = [
            { name: "COLLECTION", value: args.collection },
            { name: "PEERS", value: String(args.peers) },
            { name: "HEADLESS_HOST", value: args.headlessHost },
            { name: "QDRANT_PORT", value: String(QDRANT.httpPort) },
            { name: "TARGET", value: args.target.kind },
            { name: "S3_BUCKET", value: args.s3BucketName },
            { name: "KMS_KEY_ID", value: args.s3KmsKeyArn },
            { name: "GCS_BUCKET", value: args.gcsBucketName },
            { name: "HOME", value: "/tmp" },
            { name: "QDRANT_API_KEY", valueFrom: { secretKeyRef: { name: args.apiKeySecretName, key: "api-key" } } },
        ];
        if (args.target.kind === "gcs") {
            env.push({ name: "AWS_ROLE_ARN", value: args.target.awsRoleArn }, { name: "AWS_WEB_IDENTITY_AUDIENCE", value: args.target.awsAudience });
        }

        const cronJob = new k8s.batch.v1.CronJob(`${name}-cronjob`, {
            metadata: { name: "qdrant-snapshots", namespace: args.namespace, labels },
            spec: {
                schedule: args.schedule,
                concurrencyPolicy: "Forbid",
                startingDeadlineSeconds: 300,
                successfulJobsHistoryLimit: 3,
                failedJobsHistoryLimit: 5,
                jobTemplate: {
                    spec: {
                        backoffLimit: 2,
                        activeDeadlineSeconds: 3600,
                        template: {
                            metadata: { labels },
                            spec: {
                                serviceAccountName: account.metadata.name,
                                restartPolicy: "Never",
                                securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
                                containers: [{
                                    name: "snapshot",
                                    image: args.image,
                                    command: ["/bin/bash", "/scripts/snapshot.sh"],
                                    env,
                                    // Snapshots stream through; only a token and the manifest touch the disk.
                                    resources: { requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "64Mi" }, limits: { memory: "512Mi", "ephemeral-storage": "128Mi" } },
                                    securityContext: RESTRICTED_CONTAINER,
                                    volumeMounts: [{ name: "scripts", mountPath: "/scripts" }, { name: "tmp", mountPath: "/tmp" }],
                                }],
                                volumes: [
                                    { name: "scripts", configMap: { name: script.metadata.name } },
                                    // The token and the manifest; snapshots never land here.
                                    { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
                                ],
                            },
                        },
                    },
                },
            },
        }, parent);
        this.cronJobName = cronJob.metadata.name;
        this.registerOutputs({ cronJobName: this.cronJobName });
    }
}
