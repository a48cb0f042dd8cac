import type * as pulumi from "@pulumi/pulumi";
import { ENV, PROBE_PATHS } from "../../app/src/contract";
import { LOGICAL_SNAPSHOT_ROOT } from "../config/derive";

/** The service's replication routes the program and the runbook use (replication contract). */
export const REPLICATION_API = {
    /** Role, epoch, position, lag, fitness for failover; no auth. */
    status: PROBE_PATHS.replication,
    /** Bearer ADMIN_TOKEN: start a new epoch on this side. */
    promote: "/admin/v1/promote",
    /** Bearer ADMIN_TOKEN: write a logical snapshot set now. */
    snapshots: "/admin/v1/snapshots",
} as const;

export type Side = "aws" | "gcp";

export function otherSide(side: Side): Side {
    return side === "aws" ? "gcp" : "aws";
}

/** Prefix of a side's journal in the journal buckets: its own cloud holds it, the other cloud a copy. */
export function journalPrefix(side: Side): string {
    return `journal/${side}`;
}

/** Prefix of a side's logical snapshot sets in the backup buckets. */
export function snapshotPrefix(side: Side): string {
    return `${LOGICAL_SNAPSHOT_ROOT}/${side}`;
}

/** Bucket names per cloud; each bucket holds both sides' prefixes (its own and the other's copy). */
export interface BucketPair {
    s3: pulumi.Input<string>;
    gcs: pulumi.Input<string>;
}

/** Object-storage URL of `prefix` in the bucket of `cloud`: `s3://bucket/prefix` or `gs://bucket/prefix`. */
export function storageUrl(cloud: Side, buckets: { s3: string; gcs: string }, prefix: string): string {
    return cloud === "aws" ? `s3://${buckets.s3}/${prefix}` : `gs://${buckets.gcs}/${prefix}`;
}

/** The replication locations one side's service reads and writes (URLs of the contract). */
export interface SideLocations {
    /** This side's own journal, in its own cloud. */
    journal: string;
    /** The other side's journal in its cloud, then its copy in this side's cloud (the fallback) where one is made. */
    peerJournals: string[];
    /** Where this side writes snapshot sets, then where it finds the other side's (a copy in its own cloud first). */
    snapshots: string[];
}

/**
 * Copies only flow S3 -> GCS: Storage Transfer Service has no S3 sink. So the GCP side reads
 * the AWS side's journal and snapshot sets from S3 with a fallback copy in GCS, while the AWS
 * side reads GCP's straight from GCS, with no copy in S3.
 */
export function hasCopyInOwnCloud(side: Side): boolean {
    return side === "gcp";
}

export function sideLocations(side: Side, journals: { s3: string; gcs: string }, backups: { s3: string; gcs: string }): SideLocations {
    const peer = otherSide(side);
    const copy = hasCopyInOwnCloud(side);
    return {
        journal: storageUrl(side, journals, journalPrefix(side)),
        peerJournals: [storageUrl(peer, journals, journalPrefix(peer)), ...(copy ? [storageUrl(side, journals, journalPrefix(peer))] : [])],
        snapshots: [
            storageUrl(side, backups, snapshotPrefix(side)),
            ...(copy ? [storageUrl(side, backups, snapshotPrefix(peer))] : []),
            storageUrl(peer, backups, snapshotPrefix(peer)),
        ],
    };
}

export interface ReplicationEnvArgs {
    side: Side;
    activeSide: Side;
    locations: SideLocations;
    /** The stack's RPO: a standby lagging more is not fit for failover. */
    rpoMinutes: number;
    /** true on the follower pods, false on the serving pods. */
    apply: boolean;
}

/** The variables replicationEnv sets. */
export const REPLICATION_PLAIN_ENV = [
    ENV.role,
    ENV.journalUrl,
    ENV.peerJournalUrls,
    ENV.snapshotUrls,
    ENV.replicationMaxLagSeconds,
    ENV.replicationApply,
] as const;

/** The plain replication environment of one side's pods (the admin token comes from a Secret). */
export function replicationEnv(args: ReplicationEnvArgs): Record<(typeof REPLICATION_PLAIN_ENV)[number], string> {
    return {
        [ENV.role]: args.side === args.activeSide ? "active" : "standby",
        [ENV.journalUrl]: args.locations.journal,
        [ENV.peerJournalUrls]: args.locations.peerJournals.join(","),
        [ENV.snapshotUrls]: args.locations.snapshots.join(","),
        [ENV.replicationMaxLagSeconds]: String(args.rpoMinutes * 60),
        [ENV.replicationApply]: String(args.apply),
    };
}
