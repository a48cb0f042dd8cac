import { S3_BUCKETS } from "../../../lib/aws";
import { primaryCloud } from "../../../lib/clouds";
import { stackRule } from "../../../lib/rule";
import { has, tryGet, UNKNOWN } from "../../../lib/values";

const TRANSFER_JOB = "gcp:storage/transferJob:TransferJob";
const GCS_BUCKET = "gcp:storage/bucket:Bucket";

export const stackBackupBucketMissingCrossCloudCopy = stackRule({
    name: "stack-backup-bucket-missing-cross-cloud-copy",
    description: "Backups must leave the primary cloud: a bucket in the other cloud must receive a copy, so that losing the primary provider does not lose the data.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "stack",
    service: "backup",
    resource: "bucket",
    fix: "For an AWS primary, declare a versioned `gcp.storage.Bucket` and a `gcp.storage.TransferJob` with `transferSpec.awsS3DataSource` (the S3 backup bucket) and `transferSpec.gcsDataSink` (the GCS bucket), whose `status` is ENABLED.",
    check(stack, ctx) {
        const primary = primaryCloud(stack);
        if (primary === undefined) return;
        const stackUrn = stack.stack?.urn;
        if (primary === "aws") {
            let copies = false;
            const disabled: string[] = [];
            stack.each(stack.ofType(TRANSFER_JOB), ctx, (job) => {
                const spec = tryGet(job.props, "transferSpec");
                if (spec !== UNKNOWN && !(has(spec, "awsS3DataSource") && has(spec, "gcsDataSink"))) return;
                // A job that is not ENABLED (the default) never runs; an unknown status counts as enabled.
                const status = tryGet(job.props, "status");
                if (status === "DISABLED" || status === "DELETED") disabled.push(`"${job.name}" (${status})`);
                else copies = true;
            });
            if (!copies && disabled.length > 0) {
                ctx.report(
                    `Stack "${stack.stack?.name ?? "?"}" keeps its backups only in aws: the transfer job ${disabled.join(", ")} that would copy them to GCS never runs, so losing that provider loses the data; set its status to ENABLED.`,
                    stackUrn,
                );
            } else if (!copies || stack.ofType(GCS_BUCKET).length === 0) {
                ctx.report(
                    `Stack "${stack.stack?.name ?? "?"}" keeps its backups only in aws, so losing that provider loses the data; copy the S3 backup bucket to a GCS bucket with a gcp.storage.TransferJob (transferSpec.awsS3DataSource to transferSpec.gcsDataSink).`,
                    stackUrn,
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
