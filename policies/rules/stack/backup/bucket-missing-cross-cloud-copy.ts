import { S3_BUCKETS } from "../../../lib/aws";
import { backupBuckets, CRON_JOB, GCS_BUCKET, HOLDS_BACKUPS, holdsBackups, TRANSFER_JOB, undecidedBackupReason } from "../../../lib/backups";
import { primaryCloud } from "../../../lib/clouds";
import { containerEnv } from "../../../lib/kubernetes";
import { stackRule, type RuleContext, type StackView, type Subject } from "../../../lib/rule";
import { indexBy, pushTo } from "../../../lib/stack";
import { asArray, asRecord, get, has, tryGet, UNKNOWN } from "../../../lib/values";


/**
 * CronJobs that write backups into a bucket of the stack (their job spec depends on it, or names
 * it in a plain env value), by bucket. A bucket whose every writer is suspended gets no new backup.
 */
function suspendedWriters(stack: StackView, ctx: RuleContext, buckets: Subject[]): void {
    const byName = indexBy(buckets, "id", "bucket", "name");
    const isBucket = new Set(buckets);
    const writers = new Map<string, { job: Subject; suspended: boolean }[]>();
    stack.each(stack.ofType(CRON_JOB), ctx, (job) => {
        const targets = new Set<Subject>();
        for (const urn of job.propertyDependencies["spec"] ?? []) {
            const b = stack.byUrn(urn);
            if (b !== undefined && isBucket.has(b)) targets.add(b);
        }
        for (const c of asArray(tryGet(job.props, "spec.jobTemplate.spec.template.spec.containers")).map(asRecord)) {
            for (const value of containerEnv(c).values()) {
                const b = typeof value === "string" ? byName.get(value.replace(/^(s3|gs):\/\//, "").split("/")[0] ?? "") : undefined;
                if (b) targets.add(b);
            }
        }
        for (const b of targets) pushTo(writers, b.urn, { job, suspended: get(job.props, "spec.suspend") === true });
    });
    for (const [bucketUrn, list] of writers) {
        if (!list.every((w) => w.suspended)) continue;
        for (const { job } of list) {
            ctx.report(
                `CronJob "${job.name}" writes the backups of bucket "${stack.byUrn(bucketUrn)?.name ?? "?"}" but is suspended (spec.suspend: true), so no new backup is taken and every hour adds to the data a disaster loses; set spec.suspend to false.`,
                job.urn,
            );
        }
    }
}

export const stackBackupBucketMissingCrossCloudCopy = stackRule({
    name: "stack-backup-bucket-missing-cross-cloud-copy",
    description: "Backups must leave the primary cloud: a bucket in the other cloud must receive a copy of every backup bucket, so that losing the primary provider does not lose the data.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "stack",
    service: "backup",
    resource: "bucket",
    fix: `For an AWS primary, declare a versioned \`gcp.storage.Bucket\` and a \`gcp.storage.TransferJob\` with \`transferSpec.awsS3DataSource\` (the S3 backup bucket) and \`transferSpec.gcsDataSink\` (the GCS bucket), whose \`status\` is ENABLED, one per S3 backup bucket. Only buckets that hold backups count: tagged \`${HOLDS_BACKUPS.key}: "${HOLDS_BACKUPS.value}"\` (as this program tags its own), read by a transfer job, written by a CronJob, or holding a replication journal; a bucket with none of these (logs, a static site) needs no copy.`,
    check(stack, ctx) {
        suspendedWriters(stack, ctx, stack.ofType(...S3_BUCKETS, GCS_BUCKET));
        const primary = primaryCloud(stack);
        if (primary === undefined) return;
        const stackUrn = stack.stack?.urn;
        const backups = backupBuckets(stack);
        if (primary === "aws") {
            // Each S3 bucket needs its own copy: a transfer job of one bucket does not save another's data.
            const buckets = stack.ofType(...S3_BUCKETS);
            const index = indexBy(buckets, "id", "bucket");
            const copied = new Set<string>();
            let copies = false;
            let unresolved = false;
            const disabled: string[] = [];
            stack.each(stack.ofType(TRANSFER_JOB), ctx, (job) => {
                const spec = tryGet(job.props, "transferSpec");
                if (spec !== UNKNOWN && !(has(spec, "awsS3DataSource") && has(spec, "gcsDataSink"))) return;
                // A job that is not ENABLED (the default) never runs; an unknown status counts as enabled.
                const status = tryGet(job.props, "status");
                if (status === "DISABLED" || status === "DELETED") {
                    disabled.push(`"${job.name}" (${status})`);
                    return;
                }
                copies = true;
                const source = spec === UNKNOWN ? UNKNOWN : tryGet(spec, "awsS3DataSource.bucketName");
                const bucket = typeof source === "string" ? index.get(source) : undefined;
                const byDependency = (job.propertyDependencies["transferSpec"] ?? []).map((urn) => stack.byUrn(urn)).filter((b) => b !== undefined && S3_BUCKETS.includes(b.type));
                if (bucket) copied.add(bucket.urn);
                else if (byDependency.length === 1) copied.add(byDependency[0]!.urn);
                else unresolved = true;
            });
            if (!copies && disabled.length > 0) {
                ctx.report(
                    `Stack "${stack.stack?.name ?? "?"}" keeps its backups only in aws: the transfer job ${disabled.join(", ")} that would copy them to GCS never runs, so losing that provider loses the data; set its status to ENABLED.`,
                    stackUrn,
                );
                return;
            }
            if (!copies || stack.ofType(GCS_BUCKET).length === 0) {
                ctx.report(
                    `Stack "${stack.stack?.name ?? "?"}" keeps its backups only in aws, so losing that provider loses the data; copy the S3 backup bucket to a GCS bucket with a gcp.storage.TransferJob (transferSpec.awsS3DataSource to transferSpec.gcsDataSink).`,
                    stackUrn,
                );
                return;
            }
            for (const bucket of buckets.filter((b) => !copied.has(b.urn))) {
                const why = holdsBackups(backups, bucket);
                if (why === undefined) continue;
                if (why === UNKNOWN) {
                    ctx.undecided(bucket.urn, undecidedBackupReason(backups, bucket));
                    continue;
                }
                if (unresolved) {
                    ctx.undecided(bucket.urn, "a transfer job's source bucket is unknown");
                    continue;
                }
                ctx.report(
                    `S3 bucket "${bucket.name}" holds backups (${why}) but has no copy outside aws (no gcp.storage.TransferJob reads it), so losing that provider loses what it holds; add a TransferJob with transferSpec.awsS3DataSource naming it and a GCS bucket as transferSpec.gcsDataSink.`,
                    bucket.urn,
                );
            }
        } else {
            const held = stack.ofType(...S3_BUCKETS).map((b) => holdsBackups(backups, b));
            if (held.some((w) => typeof w === "string")) return;
            if (held.includes(UNKNOWN)) {
                if (stackUrn !== undefined) ctx.undecided(stackUrn, "whether one of its S3 buckets holds backups cannot be told in preview");
                return;
            }
            ctx.report(
                `Stack "${stack.stack?.name ?? "?"}" keeps its backups only in gcp, so losing that provider loses the data; declare a versioned S3 bucket that receives a copy of the backups (tag it ${HOLDS_BACKUPS.key}: "${HOLDS_BACKUPS.value}").`,
                stackUrn,
            );
        }
    },
});
