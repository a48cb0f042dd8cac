import { S3_BUCKETS } from "../../../lib/aws";
import { backupBuckets, HOLDS_BACKUPS, holdsBackups, undecidedBackupReason } from "../../../lib/backups";
import { stackRule } from "../../../lib/rule";
import { indexBy, resolveRefs } from "../../../lib/stack";
import { get, tryGet, UNKNOWN } from "../../../lib/values";

const VERSIONINGS = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];

export const awsS3BucketEnableVersioning = stackRule({
    name: "aws-s3-bucket-enable-versioning",
    description: "An S3 bucket holding backups must be versioned, so that an overwrite or delete does not destroy the only copy.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "s3",
    resource: "bucket",
    fix: `Declare an \`aws.s3.BucketVersioning\` for the bucket with \`versioningConfiguration.status: "Enabled"\` (the inline \`versioning.enabled\` is also accepted). Only buckets that hold backups are judged: tagged \`${HOLDS_BACKUPS.key}: "${HOLDS_BACKUPS.value}"\` (as this program tags its own), copied by a Storage Transfer job, written by a CronJob, or holding a replication journal; a bucket with none of these (logs, a static site) is not.`,
    check(stack, ctx) {
        const buckets = stack.ofType(...S3_BUCKETS);
        if (buckets.length === 0) return;
        const backups = backupBuckets(stack);
        const index = indexBy(buckets, "id", "bucket");
        const versioned = new Set<string>();
        const undecided = new Set<string>();
        let unlinked = false;
        stack.each(stack.ofType(...VERSIONINGS), ctx, (v) => {
            const status = tryGet(v.props, "versioningConfiguration.status");
            if (status !== "Enabled" && status !== UNKNOWN) return;
            const refs = resolveRefs(stack, v, "bucket", index, S3_BUCKETS);
            if (refs === UNKNOWN) {
                unlinked = true;
                ctx.undecided(v.urn, "its bucket does not resolve to a bucket in the stack");
                return;
            }
            refs.forEach((b) => (status === UNKNOWN ? undecided : versioned).add(b.urn));
        });
        stack.each(buckets, ctx, (b) => {
            if (versioned.has(b.urn) || get(b.props, "versioning.enabled") === true) return;
            const why = holdsBackups(backups, b);
            if (why === undefined) return;
            if (why === UNKNOWN) {
                ctx.undecided(b.urn, undecidedBackupReason(backups, b));
                return;
            }
            if (undecided.has(b.urn) || unlinked) {
                ctx.undecided(b.urn, "the status of its BucketVersioning is unknown");
                return;
            }
            ctx.report(
                `S3 bucket "${b.name}" holds backups (${why}) but is not versioned, so one bad overwrite or delete destroys the only copy of what it holds; add an aws.s3.BucketVersioning for it with versioningConfiguration.status "Enabled".`,
                b.urn,
            );
        });
    },
});
