import { S3_BUCKETS } from "../../../lib/aws";
import { primaryCloud } from "../../../lib/clouds";
import { stackRule } from "../../../lib/rule";
import { indexBy } from "../../../lib/stack";
import { has, tryGet, UNKNOWN } from "../../../lib/values";

const TRANSFER_JOB = "gcp:storage/transferJob:TransferJob";
const GCS_BUCKET = "gcp:storage/bucket:Bucket";

export const stackBackupBucketMissingCrossCloudCopy = stackRule({
    name: "stack-backup-bucket-missing-cross-cloud-copy",
    description: "Backups must leave the primary cloud: a bucket in the other cloud must receive a copy of every backup bucket, so that losing the primary provider does not lose the data.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "stack",
    service: "backup",
    resource: "bucket",
    fix: "For an AWS primary, declare a versioned `gcp.storage.Bucket` and a `gcp.storage.TransferJob` with `transferSpec.awsS3DataSource` (the S3 backup bucket) and `transferSpec.gcsDataSink` (the GCS bucket), one per S3 bucket (an S3 bucket whose loss costs nothing can be exempted).",
    check(stack, ctx) {
        const primary = primaryCloud(stack);
        if (primary === undefined) return;
        const stackUrn = stack.stack?.urn;
        if (primary === "aws") {
            // Each S3 bucket needs its own copy: a transfer job of one bucket does not save another's data.
            const buckets = stack.ofType(...S3_BUCKETS);
            const index = indexBy(buckets, "id", "bucket");
            const copied = new Set<string>();
            let copies = false;
            let unresolved = false;
            stack.each(stack.ofType(TRANSFER_JOB), ctx, (job) => {
                const spec = tryGet(job.props, "transferSpec");
                if (spec !== UNKNOWN && !(has(spec, "awsS3DataSource") && has(spec, "gcsDataSink"))) return;
                copies = true;
                const source = spec === UNKNOWN ? UNKNOWN : tryGet(spec, "awsS3DataSource.bucketName");
                const bucket = typeof source === "string" ? index.get(source) : undefined;
                const byDependency = (job.propertyDependencies["transferSpec"] ?? []).map((urn) => stack.byUrn(urn)).filter((b) => b !== undefined && S3_BUCKETS.includes(b.type));
                if (bucket) copied.add(bucket.urn);
                else if (byDependency.length === 1) copied.add(byDependency[0]!.urn);
                else unresolved = true;
            });
            if (!copies || stack.ofType(GCS_BUCKET).length === 0) {
                ctx.report(
                    `Stack "${stack.stack?.name ?? "?"}" keeps its backups only in aws, so losing that provider loses the data; copy the S3 backup bucket to a GCS bucket with a gcp.storage.TransferJob (transferSpec.awsS3DataSource to transferSpec.gcsDataSink).`,
                    stackUrn,
                );
                return;
            }
            for (const bucket of buckets.filter((b) => !copied.has(b.urn))) {
                if (unresolved) {
                    ctx.undecided(bucket.urn, "a transfer job's source bucket is unknown");
                    continue;
                }
                ctx.report(
                    `S3 bucket "${bucket.name}" has no copy outside aws (no gcp.storage.TransferJob reads it), so losing that provider loses what it holds; add a TransferJob with transferSpec.awsS3DataSource naming it and a GCS bucket as transferSpec.gcsDataSink.`,
                    bucket.urn,
                );
            }
        } else if (stack.ofType(...S3_BUCKETS).length === 0) {
            ctx.report(
                `Stack "${stack.stack?.name ?? "?"}" keeps its backups only in gcp, so losing that provider loses the data; declare a versioned S3 bucket that receives a copy of the backups.`,
                stackUrn,
            );
        }
    },
});
