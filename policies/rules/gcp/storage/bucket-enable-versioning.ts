import { backupBuckets, GCS_BUCKET, HOLDS_BACKUPS, holdsBackups, undecidedBackupReason } from "../../../lib/backups";
import { stackRule } from "../../../lib/rule";
import { get, UNKNOWN } from "../../../lib/values";

export const gcpStorageBucketEnableVersioning = stackRule({
    name: "gcp-storage-bucket-enable-versioning",
    description: "A Cloud Storage bucket holding backups must be versioned, so that an overwrite or delete does not destroy the only copy.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "storage",
    resource: "bucket",
    fix: `Set \`versioning: { enabled: true }\`. Only buckets that hold backups are judged: labelled \`${HOLDS_BACKUPS.key}: "${HOLDS_BACKUPS.value}"\` (as this program labels its own), copied from or into by a Storage Transfer job, written by a CronJob, or holding a replication journal; a bucket with none of these (logs, a static site) is not.`,
    requires: GCS_BUCKET,
    check(stack, ctx) {
        const backups = backupBuckets(stack);
        stack.each(stack.ofType(GCS_BUCKET), ctx, (b) => {
            if (get(b.props, "versioning.enabled") === true) return;
            const why = holdsBackups(backups, b);
            if (why === undefined) return;
            if (why === UNKNOWN) {
                ctx.undecided(b.urn, undecidedBackupReason(backups, b));
                return;
            }
            ctx.report(
                `Cloud Storage bucket "${b.name}" holds backups (${why}) but is not versioned, so one bad overwrite or delete destroys the only copy of what it holds; set versioning: { enabled: true }.`,
                b.urn,
            );
        });
    },
});
