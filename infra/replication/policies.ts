import * as pulumi from "@pulumi/pulumi";
import { journalPrefix, snapshotPrefix, type Side } from "./env";
import { LOGICAL_SNAPSHOT_ROOT } from "../config/derive";

/** An S3 bucket and the KMS key its objects are encrypted with. */
export interface EncryptedBucket {
    arn: pulumi.Input<string>;
    kmsKeyArn: pulumi.Input<string>;
}

/**
 * What one side's service may do in S3, as IAM statements. Both sides read both journals and
 * write the AWS journal: the AWS side appends to it, the GCP side appends only the fence entry of
 * a promotion. Snapshot sets: both read, only the AWS side writes (the GCP side writes its own in
 * GCS).
 */
export function s3Statements(side: Side, journal: EncryptedBucket, backup: EncryptedBucket): pulumi.Input<Record<string, unknown>>[] {
    const writesSnapshots = side === "aws";
    return [
        { Sid: "ListJournals", Effect: "Allow", Action: ["s3:ListBucket"], Resource: journal.arn, Condition: { StringLike: { "s3:prefix": ["journal/*"] } } },
        { Sid: "ReadJournals", Effect: "Allow", Action: ["s3:GetObject"], Resource: pulumi.interpolate`${journal.arn}/journal/*` },
        { Sid: "AppendAwsJournal", Effect: "Allow", Action: ["s3:PutObject"], Resource: pulumi.interpolate`${journal.arn}/${journalPrefix("aws")}/*` },
        { Sid: "ListSnapshotSets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: backup.arn, Condition: { StringLike: { "s3:prefix": [`${LOGICAL_SNAPSHOT_ROOT}/*`] } } },
        { Sid: "ReadSnapshotSets", Effect: "Allow", Action: ["s3:GetObject"], Resource: pulumi.interpolate`${backup.arn}/${LOGICAL_SNAPSHOT_ROOT}/*` },
        ...(writesSnapshots ? [{ Sid: "WriteSnapshotSets", Effect: "Allow", Action: ["s3:PutObject"], Resource: pulumi.interpolate`${backup.arn}/${snapshotPrefix("aws")}/*` }] : []),
        { Sid: "JournalKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: journal.kmsKeyArn },
        { Sid: "SnapshotKey", Effect: "Allow", Action: writesSnapshots ? ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"], Resource: backup.kmsKeyArn },
    ];
}

/** An IAM condition limiting a GCS bucket role to objects under `prefix`. */
export function gcsPrefixCondition(bucket: pulumi.Input<string>, prefix: string, title: string) {
    return { title, expression: pulumi.interpolate`resource.name.startsWith("projects/_/buckets/${bucket}/objects/${prefix}/")` };
}

/** As gcsPrefixCondition, plus the bucket itself, which listing its objects is checked against. */
export function gcsListablePrefixCondition(bucket: pulumi.Input<string>, prefix: string, title: string) {
    return {
        title,
        expression: pulumi.interpolate`resource.type == "storage.googleapis.com/Bucket" || resource.name.startsWith("projects/_/buckets/${bucket}/objects/${prefix}/")`,
    };
}
