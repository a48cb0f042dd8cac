export { CrossCloudBackup } from "./crossCloudBackup";
export type { CrossCloudBackupArgs, ClusterSide } from "./crossCloudBackup";
export { SnapshotBucket } from "./s3Bucket";
export { CrossCloudTransfer, validateCrossCloudTransferArgs } from "./transfer";
export { SnapshotJob, SNAPSHOT_POD_SELECTOR, SNAPSHOT_SCRIPT, SNAPSHOT_SERVICE_ACCOUNT } from "./snapshotJob";
export { HOLDS_BACKUPS_TAG } from "./marker";
