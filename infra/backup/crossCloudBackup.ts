import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, webIdentityTrustPolicy } from "../aws/iam";
import { SnapshotBucket } from "./s3Bucket";
import { SNAPSHOT_SERVICE_ACCOUNT, SnapshotJob } from "./snapshotJob";
import { CrossCloudTransfer } from "./transfer";

export interface ClusterSide {
    /** Kubernetes provider of the cluster. */
    provider: pulumi.ProviderResource;
    namespace: pulumi.Input<string>;
    /** DNS name of Qdrant's headless Service on this cluster. */
    qdrantHeadlessHost: pulumi.Input<string>;
}

export interface CrossCloudBackupArgs {
    stack: string;
    /** The side whose Qdrant is snapshotted (the active side). */
    activeSide: "aws" | "gcp";
    collection: string;
    qdrantPeers: number;
    /** Secret with key `api-key` on the active side: Qdrant's API key. */
    qdrantApiKeySecretName: pulumi.Input<string>;
    /** Cron schedule of the snapshots, derived from the RPO. */
    snapshotCron: string;
    transferMode: "event" | "schedule";
    transferRepeatInterval: string;
    /** UTC date the transfer schedule starts: the day of the first `pulumi up` (see CrossCloudTransfer). */
    transferStartDate: { year: number; month: number; day: number };
    retentionDays: number;
    noncurrentVersionDays: number;
    jobImage: string;
    gcpProject: string;
    gcpRegion: string;
    /** EKS IAM OIDC provider, for the snapshot job's role on AWS. */
    eksOidcProviderArn: pulumi.Input<string>;
    eksOidcIssuerHost: pulumi.Input<string>;
    /** GKE Workload Identity pool, e.g. `<project>.svc.id.goog`. */
    gkeWorkloadPool: string;
    aws: ClusterSide;
    gcp: ClusterSide;
    awsProvider?: pulumi.ProviderResource;
    gcpProvider?: pulumi.ProviderResource;
    tags?: Record<string, string>;
}

/**
 * Cross-cloud backups: scheduled snapshots of the active side's Qdrant into a versioned,
 * encrypted S3 bucket, copied to a versioned GCS bucket in the DR region by Storage Transfer.
 * Both sides' job identities exist at all times, so switching `activeSide` only moves the
 * CronJob; when GCP is active the job writes to GCS and to S3 itself, so backups still leave
 * the serving cloud.
 */
export class CrossCloudBackup extends pulumi.ComponentResource {
    public readonly s3BucketName: pulumi.Output<string>;
    public readonly s3BucketArn: pulumi.Output<string>;
    /** KMS key of the S3 bucket: writers need it to encrypt, readers to decrypt. */
    public readonly s3KmsKeyArn: pulumi.Output<string>;
    public readonly gcsBucketName: pulumi.Output<string>;
    public readonly transferJobName: pulumi.Output<string>;
    public readonly snapshotCronJobName: pulumi.Output<string>;

    constructor(name: string, args: CrossCloudBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("langchain-ha:backup:CrossCloudBackup", name, {}, opts);
        const onAws = { parent: this, provider: args.awsProvider };
        const onGcp = { parent: this, provider: args.gcpProvider };
        const tags = args.tags ?? {};

        const bucket = new SnapshotBucket(`${name}-s3`, {
            retentionDays: args.retentionDays,
            noncurrentVersionDays: args.noncurrentVersionDays,
            tags,
        }, { parent: this, providers: args.awsProvider ? [args.awsProvider] : [] });
        const transfer = new CrossCloudTransfer(`${name}-transfer`, {
            gcpProject: args.gcpProject,
            gcpRegion: args.gcpRegion,
            s3BucketName: bucket.bucketName,
            s3BucketArn: bucket.bucketArn,
            s3KmsKeyArn: bucket.kmsKeyArn,
            mode: args.transferMode,
            repeatInterval: args.transferRepeatInterval,
            startDate: args.transferStartDate,
            retentionDays: args.retentionDays,
            noncurrentVersionDays: args.noncurrentVersionDays,
            awsProvider: args.awsProvider,
            gcpProvider: args.gcpProvider,
            tags,
        }, { parent: this });

        // `aws s3 cp` goes multipart above 8 MB, and a multipart upload under SSE-KMS needs
        // kms:Decrypt as well (S3 decrypts the data key to assemble the parts).
        const writeS3 = [
            { Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: pulumi.interpolate`${bucket.bucketArn}/*` },
            { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"], Resource: bucket.kmsKeyArn },
        ];

        // AWS side: IRSA role bound to the job's Kubernetes service account.
        const awsJobRole = new aws.iam.Role(`${name}-job-aws`, {
            assumeRolePolicy: webIdentityTrustPolicy({
                federated: args.eksOidcProviderArn,
                issuerHost: args.eksOidcIssuerHost,
                subject: pulumi.interpolate`system:serviceaccount:${args.aws.namespace}:${SNAPSHOT_SERVICE_ACCOUNT}`,
                audience: "sts.amazonaws.com",
            }),
            tags,
        }, onAws);
        new aws.iam.RolePolicy(`${name}-job-aws`, { role: awsJobRole.id, policy: policyDocument(writeS3) }, onAws);

        // GCP side: a Google service account through Workload Identity, plus an AWS role it can assume.
        const googleAccount = new gcp.serviceaccount.Account(`${name}-job-gcp`, {
            project: args.gcpProject,
            // GCP account ids are 6-30 characters and may not end in a hyphen, where a cut can land.
            accountId: `qdrant-snapshots-${args.stack}`.slice(0, 30).replace(/-+$/, ""),
            displayName: "Qdrant snapshot job",
        }, onGcp);
        new gcp.storage.BucketIAMMember(`${name}-job-gcp-writer`, {
            bucket: transfer.gcsBucketName,
            role: "roles/storage.objectCreator",
            member: pulumi.interpolate`serviceAccount:${googleAccount.email}`,
        }, onGcp);
        new gcp.serviceaccount.IAMMember(`${name}-job-gcp-wi`, {
            serviceAccountId: googleAccount.name,
            role: "roles/iam.workloadIdentityUser",
            member: pulumi.interpolate`serviceAccount:${args.gkeWorkloadPool}[${args.gcp.namespace}/${SNAPSHOT_SERVICE_ACCOUNT}]`,
        }, onGcp);
        const awsAudience = `langchain-ha-${args.stack}-snapshots`;
        const federatedRole = new aws.iam.Role(`${name}-job-gcp-to-aws`, {
            description: "Assumed by the GKE snapshot job with its Google identity",
            assumeRolePolicy: webIdentityTrustPolicy({
                federated: "accounts.google.com",
                issuerHost: "accounts.google.com",
                subject: googleAccount.uniqueId,
                audience: awsAudience,
                audienceKey: "oaud",
            }),
            tags,
        }, onAws);
        new aws.iam.RolePolicy(`${name}-job-gcp-to-aws`, { role: federatedRole.id, policy: policyDocument(writeS3) }, onAws);

        const active = args.activeSide === "aws" ? args.aws : args.gcp;
        const job = new SnapshotJob(`${name}-job-${args.activeSide}`, {
            namespace: active.namespace,
            schedule: args.snapshotCron,
            collection: args.collection,
            peers: args.qdrantPeers,
            headlessHost: active.qdrantHeadlessHost,
            s3BucketName: bucket.bucketName,
            s3KmsKeyArn: bucket.kmsKeyArn,
            gcsBucketName: transfer.gcsBucketName,
            image: args.jobImage,
            apiKeySecretName: args.qdrantApiKeySecretName,
            target: args.activeSide === "aws"
                ? { kind: "s3", roleArn: awsJobRole.arn }
                : { kind: "gcs", googleServiceAccountEmail: googleAccount.email, awsRoleArn: federatedRole.arn, awsAudience },
        }, { parent: this, providers: [active.provider] });

        this.s3BucketName = bucket.bucketName;
        this.s3BucketArn = bucket.bucketArn;
        this.s3KmsKeyArn = bucket.kmsKeyArn;
        this.gcsBucketName = transfer.gcsBucketName;
        this.transferJobName = transfer.transferJobName;
        this.snapshotCronJobName = job.cronJobName;
        this.registerOutputs({
            s3BucketName: this.s3BucketName,
            gcsBucketName: this.gcsBucketName,
            transferJobName: this.transferJobName,
            snapshotCronJobName: this.snapshotCronJobName,
        });
    }
}
