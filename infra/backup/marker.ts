/**
 * The tag (S3) and label (GCS) on every bucket that holds backups (snapshot sets, the replication
 * journal, and their cross-cloud copies). The policy pack judges versioning and cross-cloud copies
 * on the buckets that carry it, or that a transfer job, snapshot CronJob or journal writes, and
 * on no other bucket. A GCS label key allows only lowercase letters, digits, `_` and `-`, so the
 * one key serves both clouds.
 */
export const HOLDS_BACKUPS_TAG = { "holds-backups": "true" } as const;
