import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { HOLDS_BACKUPS_TAG } from "./marker";

export interface SnapshotBucketArgs {
    /** Days a snapshot set is kept. */
    retentionDays: number;
    /** Days a replaced or deleted object version is kept. */
    noncurrentVersionDays: number;
    /** What the bucket holds, for the key's description. Defaults to "Qdrant snapshots". */
    contents?: string;
    tags?: Record<string, string>;
}

/**
 * The S3 side of the backups: versioned (a bad upload or a deletion never destroys the last
 * good snapshot), KMS-encrypted, public access blocked, TLS-only, with lifecycle expiry, and
 * tagged as holding backups (HOLDS_BACKUPS_TAG).
 */
export class SnapshotBucket extends pulumi.ComponentResource {
    public readonly bucketName: pulumi.Output<string>;
    public readonly bucketArn: pulumi.Output<string>;
    public readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: SnapshotBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("langchain-ha:backup:SnapshotBucket", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags ?? {};
        const key = new aws.kms.Key(`${name}-key`, {
            description: `Encryption of ${name}'s ${args.contents ?? "Qdrant snapshots"}`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags,
        }, parent);
        const bucket = new aws.s3.Bucket(`${name}`, { forceDestroy: false, tags: { ...tags, ...HOLDS_BACKUPS_TAG } }, { parent: this, protect: false });
        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, {
            bucket: bucket.id,
            versioningConfiguration: { status: "Enabled" },
        }, parent);
        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucket.id,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
        }, parent);
        const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, parent);
        new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
        new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
            bucket: bucket.id,
            rules: [{
                id: "expire-snapshots",
                status: "Enabled",
                filter: {},
                expiration: { days: args.retentionDays },
                noncurrentVersionExpiration: { noncurrentDays: args.noncurrentVersionDays },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 2 },
            }],
        }, { parent: this, dependsOn: [versioning] });
        new aws.s3.BucketPolicy(`${name}-tls-only`, {
            bucket: bucket.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [{
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [bucket.arn, pulumi.interpolate`${bucket.arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                }],
            }),
        }, { parent: this, dependsOn: [publicAccess] });

        this.bucketName = bucket.bucket;
        this.bucketArn = bucket.arn;
        this.kmsKeyArn = key.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, kmsKeyArn: this.kmsKeyArn });
    }
}
