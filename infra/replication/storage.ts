import * as pulumi from "@pulumi/pulumi";
import { CrossCloudTransfer, SnapshotBucket } from "../backup";

export interface JournalStorageArgs {
    gcpProject: string;
    /** GCS location of the journal bucket: the DR region. */
    gcpRegion: string;
    /** Days after which an entry expires: the snapshot-schedule margin plus retention (config `journal.expiryDays`). */
    expiryDays: number;
    /** Days a deleted (expired) entry's version is kept. */
    noncurrentVersionDays: number;
    awsProvider?: pulumi.ProviderResource;
    gcpProvider?: pulumi.ProviderResource;
    tags?: Record<string, string>;
}

/**
 * The journal buckets of both clouds, dedicated to the journal: an S3 bucket (versioned, KMS,
 * public access blocked, TLS-only) and a GCS bucket in the DR region (versioned, public access
 * prevented), with Storage Transfer copying S3 to GCS as each entry lands (event mode: the copy is
 * the GCP standby's fallback, so it must not wait for a schedule). Each bucket holds
 * `journal/aws/` and `journal/gcp/`; a whole-bucket lifecycle expires entries at `expiryDays`.
 * Dedicated rather than a prefix of the backup buckets, whose single rule expires everything at
 * the snapshot retention (S3 applies the shortest of overlapping expirations) and whose S3 event
 * notification already feeds the snapshot transfer.
 */
export class JournalStorage extends pulumi.ComponentResource {
    public readonly s3BucketName: pulumi.Output<string>;
    public readonly s3BucketArn: pulumi.Output<string>;
    public readonly s3KmsKeyArn: pulumi.Output<string>;
    public readonly gcsBucketName: pulumi.Output<string>;
    public readonly transferJobName: pulumi.Output<string>;

    constructor(name: string, args: JournalStorageArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.expiryDays < 1) throw new Error(`JournalStorage ${name}: expiryDays must be at least 1, got ${args.expiryDays}`);
        super("langchain-ha:replication:JournalStorage", name, {}, opts);
        const contents = "replication journal";
        const bucket = new SnapshotBucket(`${name}-s3`, {
            retentionDays: args.expiryDays,
            noncurrentVersionDays: args.noncurrentVersionDays,
            contents,
            tags: args.tags,
        }, { parent: this, providers: args.awsProvider ? [args.awsProvider] : [] });
        const transfer = new CrossCloudTransfer(`${name}-transfer`, {
            gcpProject: args.gcpProject,
            gcpRegion: args.gcpRegion,
            s3BucketName: bucket.bucketName,
            s3BucketArn: bucket.bucketArn,
            s3KmsKeyArn: bucket.kmsKeyArn,
            mode: "event",
            // Unused in event mode; the component validates its form.
            repeatInterval: "3600s",
            retentionDays: args.expiryDays,
            noncurrentVersionDays: args.noncurrentVersionDays,
            contents,
            awsProvider: args.awsProvider,
            gcpProvider: args.gcpProvider,
            tags: args.tags,
        }, { parent: this });

        this.s3BucketName = bucket.bucketName;
        this.s3BucketArn = bucket.bucketArn;
        this.s3KmsKeyArn = bucket.kmsKeyArn;
        this.gcsBucketName = transfer.gcsBucketName;
        this.transferJobName = transfer.transferJobName;
        this.registerOutputs({ s3BucketName: this.s3BucketName, gcsBucketName: this.gcsBucketName, transferJobName: this.transferJobName });
    }
}
