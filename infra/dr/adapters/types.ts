import type { Side } from "../sides";

/** What a side's `GET /v1/replication` answers (the replication contract). */
export interface ReplicationStatus {
    role: "active" | "standby";
    epoch: number;
    fenced: boolean;
    position: JournalPosition | null;
    head: JournalPosition | null;
    lagSeconds: number | null;
    lastAppliedAt: string | null;
    caughtUp: boolean;
    fitForFailover: boolean;
    reason: string;
    applier?: boolean;
}

export interface JournalPosition {
    epoch: number;
    seq: number;
}

export interface PromoteResult {
    epoch: number;
    continuesFrom?: JournalPosition;
    fencedPeer?: boolean;
    appliedDuringPromotion?: number;
    unreplicatedEntries?: number | null;
    alreadyActive?: boolean;
}

export interface SnapshotManifest {
    format: number;
    setId: string;
    createdAt: string;
    journal: JournalPosition;
    points: number;
    files: { key: string; sha256: string; bytes: number }[];
    complete: boolean;
}

/** One side's service: the deep health, the replication state and the admin API. */
export interface ServiceApi {
    readonly url: string;
    health(): Promise<{ httpStatus: number; body: Record<string, unknown> }>;
    replication(): Promise<ReplicationStatus>;
    /** `POST /admin/v1/promote`; throws PromoteConflict when a planned promotion cannot reach the old writer. */
    promote(mode: "planned" | "unplanned"): Promise<PromoteResult>;
    snapshot(): Promise<SnapshotManifest>;
}

export class PromoteConflict extends Error {}

/** Which side each failover record of the service's name points at. */
export interface FailoverRecords {
    primary: Side;
    secondary: Side;
    ttlSeconds: number;
}

export interface HealthCheckState {
    /** Route53's view: healthy when enough checkers report success (more than 18 %). */
    healthy: boolean;
    checkers: number;
    healthyCheckers: number;
    /** Set by hand: a status no longer reflects the endpoint. */
    inverted: boolean;
    disabled: boolean;
}

/** Route53: the failover records of the service's name and the health checks behind them. */
export interface DnsControl {
    records(): Promise<FailoverRecords>;
    healthCheck(side: Side): Promise<HealthCheckState>;
    /** Makes `side` the PRIMARY record and the other the SECONDARY, atomically; waits until INSYNC. */
    makePrimary(side: Side): Promise<{ changed: boolean }>;
    /** The answer Route53's own name servers give for the service's name now (TestDNSAnswer). */
    answer(): Promise<string[]>;
}

export interface DeploymentState {
    replicas: number;
    readyReplicas: number;
}

/** One side's Kubernetes cluster. */
export interface ClusterControl {
    deployment(name: string): Promise<DeploymentState | undefined>;
    /** Sets the Deployment's replicas and, when it has one, its autoscaler's floor to match. */
    setCapacity(name: string, replicas: number): Promise<void>;
    secretValue(name: string, key: string): Promise<string | undefined>;
}

/** One object-storage location (a side's snapshot sets): keys relative to its URL. */
export interface ObjectLocation {
    readonly url: string;
    get(key: string): Promise<Buffer | undefined>;
    put(key: string, body: Buffer): Promise<void>;
    listDirs(prefix: string): Promise<string[]>;
}

/** Everything a runbook command may touch, created lazily so a failover never opens the failed side. */
export interface Adapters {
    dns(): DnsControl;
    cluster(side: Side): ClusterControl;
    service(side: Side): ServiceApi;
    snapshots(side: Side): ObjectLocation;
}
