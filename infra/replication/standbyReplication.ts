import * as pulumi from "@pulumi/pulumi";
import type { PodIdentity } from "../k8s/podIdentity";
import { REPLICATION_PLAIN_ENV, replicationEnv, sideLocations, type Side, type SideLocations } from "./env";
import { ReplicationIdentity, type ReplicationIdentityArgs } from "./identity";
import type { EncryptedBucket } from "./policies";
import { JournalStorage } from "./storage";

export interface StandbyReplicationArgs {
    stack: string;
    /** The side that serves and writes; the other follows. */
    activeSide: Side;
    /** The stack's RPO: the lag past which a standby is not fit for failover. */
    rpoMinutes: number;
    gcpProject: string;
    gcpRegion: string;
    awsRegion: string;
    /** Age in days at which journal entries expire (config `journal.expiryDays`). */
    journalExpiryDays: number;
    noncurrentVersionDays: number;
    /** The backup buckets, where the logical snapshot sets live beside the Qdrant snapshots. */
    backup: EncryptedBucket & { s3BucketName: pulumi.Input<string>; gcsBucketName: pulumi.Input<string> };
    namespaces: ReplicationIdentityArgs["namespaces"];
    k8sProviders: ReplicationIdentityArgs["k8sProviders"];
    eksOidcProviderArn: pulumi.Input<string>;
    eksOidcIssuerHost: pulumi.Input<string>;
    gkeWorkloadPool: string;
    gkeIssuerUrl: pulumi.Input<string>;
    awsProvider?: pulumi.ProviderResource;
    gcpProvider?: pulumi.ProviderResource;
    tags?: Record<string, string>;
}

/**
 * What the standby's replication needs from both clouds: the journal buckets and their copy,
 * the identities of the service's pods, and the replication environment of each side. The
 * workloads (followers, the snapshot-set schedule) are declared beside the service, which owns
 * the Secret they read.
 */
export class StandbyReplication extends pulumi.ComponentResource {
    public readonly journal: JournalStorage;
    public readonly pods: Record<Side, PodIdentity>;
    public readonly locations: Record<Side, pulumi.Output<SideLocations>>;
    private readonly args: StandbyReplicationArgs;

    constructor(name: string, args: StandbyReplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("langchain-ha:replication:StandbyReplication", name, {}, opts);
        this.args = args;
        this.journal = new JournalStorage(`${name}-journal`, {
            gcpProject: args.gcpProject,
            gcpRegion: args.gcpRegion,
            expiryDays: args.journalExpiryDays,
            noncurrentVersionDays: args.noncurrentVersionDays,
            awsProvider: args.awsProvider,
            gcpProvider: args.gcpProvider,
            tags: args.tags,
        }, { parent: this });
        const identity = new ReplicationIdentity(`${name}-identity`, {
            stack: args.stack,
            gcpProject: args.gcpProject,
            awsRegion: args.awsRegion,
            namespaces: args.namespaces,
            k8sProviders: args.k8sProviders,
            eksOidcProviderArn: args.eksOidcProviderArn,
            eksOidcIssuerHost: args.eksOidcIssuerHost,
            gkeWorkloadPool: args.gkeWorkloadPool,
            gkeIssuerUrl: args.gkeIssuerUrl,
            journal: { arn: this.journal.s3BucketArn, kmsKeyArn: this.journal.s3KmsKeyArn, gcsBucket: this.journal.gcsBucketName },
            backup: { arn: args.backup.arn, kmsKeyArn: args.backup.kmsKeyArn, gcsBucket: args.backup.gcsBucketName },
            awsProvider: args.awsProvider,
            gcpProvider: args.gcpProvider,
            tags: args.tags,
        }, { parent: this });
        this.pods = identity.pods;
        const buckets = pulumi.all([this.journal.s3BucketName, this.journal.gcsBucketName, args.backup.s3BucketName, args.backup.gcsBucketName]);
        const locate = (side: Side) => buckets.apply(([js3, jgcs, bs3, bgcs]) => sideLocations(side, { s3: js3, gcs: jgcs }, { s3: bs3, gcs: bgcs }));
        this.locations = { aws: locate("aws"), gcp: locate("gcp") };
        this.registerOutputs({
            journalBuckets: { s3: this.journal.s3BucketName, gcs: this.journal.gcsBucketName },
            locations: this.locations,
        });
    }

    /** The replication environment of one side's pods: `apply` is true for the follower, false for serving pods. */
    env(side: Side, apply: boolean): Record<string, pulumi.Output<string>> {
        const env = this.locations[side].apply((locations) =>
            replicationEnv({ side, activeSide: this.args.activeSide, locations, rpoMinutes: this.args.rpoMinutes, apply }));
        return Object.fromEntries(REPLICATION_PLAIN_ENV.map((key) => [key, env.apply((e) => e[key])]));
    }
}
