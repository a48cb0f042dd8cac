import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, webIdentityTrustPolicy } from "../aws/iam";
import { MIN_TRANSFER_REPEAT_MINUTES } from "../config/derive";
import { HOLDS_BACKUPS_TAG } from "./marker";

/** Storage Transfer rejects a schedule that repeats more often than hourly. */
export const MIN_REPEAT_SECONDS = MIN_TRANSFER_REPEAT_MINUTES * 60;

export interface CrossCloudTransferArgs {
    gcpProject: string;
    /** GCS location of the copy: the DR region. */
    gcpRegion: string;
    s3BucketName: pulumi.Input<string>;
    s3BucketArn: pulumi.Input<string>;
    s3KmsKeyArn: pulumi.Input<string>;
    /** `event`: copy each object as S3 reports it (via SQS); `schedule`: copy every `repeatInterval`. */
    mode: "event" | "schedule";
    /** Storage Transfer repeat interval such as "3600s" (at least an hour); used in schedule mode. */
    repeatInterval: string;
    /**
     * First day of the schedule (UTC), the day of the first `pulumi up`: with no start time of
     * day, a schedule starting today runs at once, one starting in the past only the next day.
     * Later runs leave it as created. Required in schedule mode, unused in event mode.
     */
    startDate?: { year: number; month: number; day: number };
    retentionDays: number;
    noncurrentVersionDays: number;
    /** What is copied, for the job's description. Defaults to "Qdrant snapshots". */
    contents?: string;
    /** Providers: the AWS one of the primary region, the GCP one of the DR project. */
    awsProvider?: pulumi.ProviderResource;
    gcpProvider?: pulumi.ProviderResource;
    tags?: Record<string, string>;
}

/** Throws on a repeat interval Storage Transfer would reject at `pulumi up`. */
export function validateCrossCloudTransferArgs(name: string, args: Pick<CrossCloudTransferArgs, "mode" | "repeatInterval" | "startDate">): void {
    if (!/^\d+s$/.test(args.repeatInterval)) throw new Error(`CrossCloudTransfer ${name}: repeatInterval must look like "3600s", got ${args.repeatInterval}`);
    if (args.mode === "schedule" && parseInt(args.repeatInterval, 10) < MIN_REPEAT_SECONDS) {
        throw new Error(`CrossCloudTransfer ${name}: Storage Transfer rejects a repeatInterval below ${MIN_REPEAT_SECONDS}s, got ${args.repeatInterval}`);
    }
    if (args.mode === "schedule" && args.startDate === undefined) throw new Error(`CrossCloudTransfer ${name}: a schedule needs its startDate`);
}

/**
 * Copies the snapshot bucket out of AWS: a versioned GCS bucket in the DR region and a
 * Storage Transfer job from S3 to it. The job reads S3 through an IAM role that trusts only
 * the project's Storage Transfer service identity (web-identity federation): no AWS keys
 * exist anywhere. In event mode S3 notifies an SQS queue that the job consumes.
 */
export class CrossCloudTransfer extends pulumi.ComponentResource {
    public readonly gcsBucketName: pulumi.Output<string>;
    public readonly transferJobName: pulumi.Output<string>;
    public readonly transferRoleArn: pulumi.Output<string>;
    public readonly eventQueueArn?: pulumi.Output<string>;

    constructor(name: string, args: CrossCloudTransferArgs, opts?: pulumi.ComponentResourceOptions) {
        validateCrossCloudTransferArgs(name, args);
        super("langchain-ha:backup:CrossCloudTransfer", name, {}, opts);
        const onAws = { parent: this, provider: args.awsProvider };
        const onGcp = { parent: this, provider: args.gcpProvider };
        const tags = args.tags ?? {};

        const gcsBucket = new gcp.storage.Bucket(`${name}-gcs`, {
            project: args.gcpProject,
            location: args.gcpRegion.toUpperCase(),
            storageClass: "STANDARD",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            forceDestroy: false,
            labels: { ...HOLDS_BACKUPS_TAG },
            lifecycleRules: [
                { action: { type: "Delete" }, condition: { age: args.retentionDays, withState: "LIVE" } },
                { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: args.noncurrentVersionDays, withState: "ARCHIVED" } },
            ],
        }, onGcp);

        const transferIdentity = gcp.storage.getTransferProjectServiceAccountOutput({ project: args.gcpProject }, { parent: this, provider: args.gcpProvider });
        for (const role of ["roles/storage.objectAdmin", "roles/storage.legacyBucketReader"]) {
            new gcp.storage.BucketIAMMember(`${name}-sts-${role.split(".")[1]}`, {
                bucket: gcsBucket.name,
                role,
                member: pulumi.interpolate`serviceAccount:${transferIdentity.email}`,
            }, onGcp);
        }

        const queue = args.mode === "event"
            ? new aws.sqs.Queue(`${name}-events`, { messageRetentionSeconds: 4 * 24 * 3600, sqsManagedSseEnabled: true, tags }, onAws)
            : undefined;

        const role = new aws.iam.Role(`${name}-sts-role`, {
            description: "Read by GCP Storage Transfer Service through web-identity federation",
            assumeRolePolicy: webIdentityTrustPolicy({
                federated: "accounts.google.com",
                issuerHost: "accounts.google.com",
                subject: transferIdentity.subjectId,
            }),
            maxSessionDuration: 3600,
            tags,
        }, onAws);
        const statements: pulumi.Input<Record<string, unknown>>[] = [
            { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: args.s3BucketArn },
            { Effect: "Allow", Action: ["s3:GetObject"], Resource: pulumi.interpolate`${args.s3BucketArn}/*` },
            { Effect: "Allow", Action: ["kms:Decrypt"], Resource: args.s3KmsKeyArn },
        ];
        if (queue) {
            statements.push({
                Effect: "Allow",
                Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
                Resource: queue.arn,
            });
        }
        const rolePolicy = new aws.iam.RolePolicy(`${name}-sts-read`, { role: role.id, policy: policyDocument(statements) }, onAws);

        const dependsOn: pulumi.Resource[] = [rolePolicy];
        if (queue) {
            const queuePolicy = new aws.sqs.QueuePolicy(`${name}-events`, {
                queueUrl: queue.url,
                policy: pulumi.jsonStringify({
                    Version: "2012-10-17",
                    Statement: [{
                        Effect: "Allow",
                        Principal: { Service: "s3.amazonaws.com" },
                        Action: "sqs:SendMessage",
                        Resource: queue.arn,
                        Condition: { ArnEquals: { "aws:SourceArn": args.s3BucketArn } },
                    }],
                }),
            }, onAws);
            dependsOn.push(new aws.s3.BucketNotification(`${name}-events`, {
                bucket: args.s3BucketName,
                queues: [{ queueArn: queue.arn, events: ["s3:ObjectCreated:*"] }],
            }, { ...onAws, dependsOn: [queuePolicy] }));
        }

        const job = new gcp.storage.TransferJob(`${name}-job`, {
            project: args.gcpProject,
            description: `${args.contents ?? "Qdrant snapshots"}: S3 to GCS (${args.mode})`,
            transferSpec: {
                awsS3DataSource: { bucketName: args.s3BucketName, roleArn: role.arn },
                gcsDataSink: { bucketName: gcsBucket.name },
                // Never delete in the sink: the DR copy must survive a deletion in the source.
                transferOptions: { overwriteWhen: "DIFFERENT", deleteObjectsUniqueInSink: false, deleteObjectsFromSourceAfterTransfer: false },
            },
            ...(queue
                ? { eventStream: { name: queue.arn } }
                : { schedule: { scheduleStartDate: args.startDate!, repeatInterval: args.repeatInterval } }),
            loggingConfig: { logActions: ["COPY", "DELETE"], logActionStates: ["FAILED"] },
        }, { ...onGcp, dependsOn, ignoreChanges: ["schedule.scheduleStartDate"] });

        this.gcsBucketName = gcsBucket.name;
        this.transferJobName = job.name;
        this.transferRoleArn = role.arn;
        this.eventQueueArn = queue?.arn;
        this.registerOutputs({ gcsBucketName: this.gcsBucketName, transferJobName: this.transferJobName, transferRoleArn: this.transferRoleArn });
    }
}
