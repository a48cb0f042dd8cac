import type { FastifyBaseLogger } from "fastify";
import type { Metrics } from "../metrics";
import { FallbackObjectStore, type ObjectStore } from "../objectstore";
import { HttpError } from "../resilience/errors";
import type { VectorStore } from "../vectorstore/types";
import { comparePositions, formatPosition, JournalCorruptError, type JournalOp, type Position } from "./entry";
import { Follower, META_NAME, readMeta, type EpochMap, type Progress, type ReplicationMeta } from "./follower";
import { FencedError, JournalLocation, JournalWriter } from "./journal";
import type { Lease } from "./lease";
import { writeSnapshotSet, type SnapshotManifest } from "./snapshots";

export type Role = "active" | "standby";

export interface ReplicationOptions {
    /** The role before any epoch exists; afterwards the journals decide. */
    initialRole: Role;
    /** This side's own journal: written while it is the writer. */
    own: ObjectStore;
    /** The other side's journal, then its copies in this side's cloud (read in that order). */
    peer: ObjectStore[];
    /** Snapshot-set locations: the first is written, all are read for bootstrap. */
    snapshots: ObjectStore[];
    store: VectorStore;
    lease: Lease;
    /** Whether this instance applies entries (one applier at a time, through the lease). */
    apply: boolean;
    maxLagSeconds: number;
    pollMs: number;
    retryAfterSeconds: number;
    metrics: Metrics;
    log: FastifyBaseLogger;
}

export interface ReplicationStatus {
    role: Role;
    epoch: number;
    fenced: boolean;
    position: Position | null;
    head: Position | null;
    lagSeconds: number | null;
    lastAppliedAt: string | null;
    caughtUp: boolean;
    fitForFailover: boolean;
    reason: string;
    applier: boolean;
    diverged: number;
    journal: { url: string; peers: string[] };
}

export interface PromotionResult {
    epoch: number;
    continuesFrom: Position | null;
    fencedPeer: boolean;
    appliedDuringPromotion: number;
    unreplicatedEntries: number | null;
    alreadyActive: boolean;
}

/** How long a promotion may spend catching up before it answers 503 (the runbook retries). */
const PROMOTION_CATCH_UP_MS = 60_000;
/** How often a writer refreshes its epoch's marker: far inside the journal's shortest expiry (days). */
const EPOCH_MARKER_EVERY_MS = 6 * 3_600_000;
/** Calls to the old writer's cloud during a promotion are short: it may be the failed region. */
const PEER_CALL_MS = 5_000;

/**
 * The replication state machine of one instance. The journals decide who writes: the side whose
 * journal holds the newest epoch is the writer, the other follows it; a promotion starts a newer
 * epoch (after fencing the old writer where it can be reached). Every tick re-derives the role
 * from the journals, so a restart, a second replica or a crash mid-promotion all converge on the
 * same answer.
 */
export class ReplicationService {
    private readonly own: JournalLocation;
    private readonly peer?: JournalLocation;
    private readonly peerPrimary?: JournalLocation;
    private readonly follower: Follower;
    private role: Role;
    private epoch = 0;
    private writer?: JournalWriter;
    private fencedBy?: number;
    private holdsLease = false;
    private position: Position | null = null;
    private head: Position | null = null;
    private lastSyncAt?: number;
    private oldestPendingAt?: number;
    private lastAppliedAt?: number;
    private everCaughtUp = false;
    private diverged = 0;
    private problem?: string;
    private corrupt = false;
    private timer?: NodeJS.Timeout;
    private exclusive: Promise<unknown> = Promise.resolve();
    private peerReadable = true;
    private markerWritten?: { epoch: number; at: number };

    constructor(private readonly options: ReplicationOptions) {
        this.own = new JournalLocation(options.own);
        const [first, ...copies] = options.peer;
        if (first) {
            this.peer = new JournalLocation(copies.length > 0 ? new FallbackObjectStore([first, ...copies]) : first);
            this.peerPrimary = new JournalLocation(first);
        }
        this.role = options.initialRole;
        this.follower = new Follower(options.store, options.snapshots, {
            applied: () => {
                this.lastAppliedAt = Date.now();
                options.metrics.replicationApplied.inc();
                options.metrics.replicationLastApplied.set(this.lastAppliedAt / 1000);
            },
            diverged: (entries, at) => {
                options.log.warn({ entries, at: formatPosition(at) }, "this store holds journal entries the newer epoch does not include");
            },
        });
    }

    /** The first round now, then one per poll interval; resolves when the first round ends (it never throws). */
    start(): Promise<void> {
        const first = this.tick();
        this.timer = setInterval(() => void this.tick(), this.options.pollMs);
        this.timer.unref();
        return first;
    }

    async stop(): Promise<void> {
        clearInterval(this.timer);
        await this.exclusive;
        if (this.holdsLease) await this.options.lease.release();
    }

    /** Whether a write may be accepted now; the reason goes to the client when not. */
    acceptsWrites(): boolean {
        return this.writer !== undefined && !this.writer.fenced;
    }

    /** Throws the 503 a client gets when this side must not take writes. */
    assertWritable(): void {
        if (this.acceptsWrites()) return;
        const why = this.fencedBy !== undefined
            ? `this side was fenced by epoch ${this.fencedBy} and is a read-only standby now`
            : this.role === "standby"
              ? `this is a read-only standby; the other side (epoch ${this.epoch}) takes writes`
              : `the change journal is not ready (${this.problem ?? "starting"})`;
        throw new HttpError(503, `${why}; retry against the active side`, this.options.retryAfterSeconds);
    }

    /** Appends an acknowledged write's ops; the caller has already written them to the store. */
    async append(ops: JournalOp[]): Promise<Position> {
        this.assertWritable();
        try {
            const position = await this.writer!.append(ops);
            this.options.metrics.journalWrites.inc({ outcome: "ok" });
            this.head = position;
            return position;
        } catch (error) {
            this.options.metrics.journalWrites.inc({ outcome: "error" });
            if (error instanceof FencedError) this.assertWritable();
            throw new HttpError(503, "the change journal is unavailable; retry the request (ingestion is idempotent)", this.options.retryAfterSeconds, {
                cause: error,
            });
        }
    }

    status(): ReplicationStatus {
        const now = Date.now();
        const lagSeconds =
            this.role === "active"
                ? 0
                : this.oldestPendingAt !== undefined
                  ? (now - this.oldestPendingAt) / 1000
                  : this.lastSyncAt !== undefined
                    ? (now - this.lastSyncAt) / 1000
                    : null;
        const caughtUp = this.role === "standby" && this.oldestPendingAt === undefined && this.lastSyncAt !== undefined;
        const fit =
            this.role === "standby" && !this.corrupt && this.everCaughtUp && lagSeconds !== null && lagSeconds <= this.options.maxLagSeconds;
        const reason =
            this.role === "active"
                ? this.writer ? "writer" : (this.problem ?? "starting")
                : this.corrupt
                  ? (this.problem ?? "journal damaged")
                  : !this.everCaughtUp
                    ? (this.problem ?? "has never caught up with the journal")
                    : lagSeconds !== null && lagSeconds > this.options.maxLagSeconds
                      ? `lag ${lagSeconds.toFixed(1)} s exceeds the RPO of ${this.options.maxLagSeconds} s${this.problem ? ` (${this.problem})` : ""}`
                      : (this.problem ?? "caught up");
        this.options.metrics.replicationLag.set(lagSeconds ?? -1);
        this.options.metrics.replicationFit.set(fit ? 1 : 0);
        return {
            role: this.role,
            epoch: this.epoch,
            fenced: this.fencedBy !== undefined,
            position: this.position,
            head: this.head,
            lagSeconds: lagSeconds === null ? null : Math.round(lagSeconds * 1000) / 1000,
            lastAppliedAt: this.lastAppliedAt ? new Date(this.lastAppliedAt).toISOString() : null,
            caughtUp,
            fitForFailover: fit,
            reason,
            applier: this.holdsLease && this.options.apply,
            diverged: this.diverged,
            journal: { url: this.options.own.url, peers: this.options.peer.map((p) => p.url) },
        };
    }

    /** One round: learn the epochs, settle the role, and (as a standby) follow. Never throws. */
    tick(): Promise<void> {
        return this.serialized(async () => {
            const signal = AbortSignal.timeout(Math.max(this.options.pollMs * 10, 10_000));
            try {
                const epochs = await this.discover(signal);
                await this.settleRole(epochs, signal);
                if (this.role === "standby") await this.follow(epochs, {}, signal);
                if (!this.corrupt) this.problem = undefined;
            } catch (error) {
                this.problem = error instanceof Error ? error.message : String(error);
                if (error instanceof JournalCorruptError) this.corrupt = true;
                this.options.log.warn({ err: this.problem }, "replication round failed");
            }
            // The lag and fitness gauges follow every round, not only the status reads.
            this.status();
        });
    }

    /**
     * Makes this side the writer under a new epoch. `planned`: the old writer is fenced first and
     * everything it wrote is applied, so nothing is lost; it refuses when the old writer's journal
     * cannot be reached. `unplanned`: applies what can be read (the old writer's journal or its
     * copy here), tries to fence, and reports what it could not apply.
     */
    promote(mode: "planned" | "unplanned"): Promise<PromotionResult> {
        return this.serialized(async () => {
            const signal = AbortSignal.timeout(PROMOTION_CATCH_UP_MS);
            const epochs = await this.discover(signal, true);
            if (mode === "planned" && !this.peerReadable) {
                throw new HttpError(409, "planned promotion needs the current writer's journal to fence it, and it cannot be read; use an unplanned promotion");
            }
            await this.settleRole(epochs, signal);
            if (this.role === "active" && this.writer) {
                return { epoch: this.epoch, continuesFrom: null, fencedPeer: false, appliedDuringPromotion: 0, unreplicatedEntries: 0, alreadyActive: true };
            }
            // The other side's epoch as last seen if its journal cannot be read now.
            const peerEpoch = Math.max(this.epoch, ...[...epochs.entries()].filter(([, l]) => l !== this.own).map(([e]) => e));
            const newEpoch = Math.max(this.epoch, ...epochs.keys()) + 1;
            let fence: Position | undefined;
            let fenceError: string | undefined;
            if (peerEpoch > 0 && this.peerPrimary) {
                try {
                    fence = await this.fencePeer(peerEpoch, newEpoch);
                } catch (error) {
                    fenceError = error instanceof Error ? error.message : String(error);
                }
            }
            if (mode === "planned" && peerEpoch > 0 && !fence) {
                throw new HttpError(409, `planned promotion needs the current writer's journal to fence it, and it is unreachable (${fenceError}); use an unplanned promotion`);
            }
            const progress = await this.follow(await this.discover(signal, mode === "unplanned"), { ignoreLease: true, until: fence }, signal);
            if (this.position === null && peerEpoch > 0) {
                throw new HttpError(409, "this side has never applied the journal: promoting it would serve an empty knowledge base; restore a snapshot set first");
            }
            if (fence && (this.position === null || comparePositions(this.position, fence) < 0)) {
                throw new HttpError(503, `caught up to ${formatPosition(this.position)} of ${formatPosition(fence)} so far; run the promotion again`, this.options.retryAfterSeconds);
            }
            let unreplicated: number | null = 0;
            if (!fence && peerEpoch > 0) {
                const head = await this.peerPrimary?.head(peerEpoch, AbortSignal.timeout(PEER_CALL_MS)).catch(() => undefined);
                unreplicated = head && this.position && head.epoch === this.position.epoch ? Math.max(0, head.seq - this.position.seq) : null;
            }
            const continuesFrom = peerEpoch > 0 ? this.position : null;
            await this.own.create({ kind: "epoch-start", epoch: newEpoch, seq: 0, writtenAt: new Date().toISOString(), continuesFrom }, signal);
            this.epoch = newEpoch;
            this.options.log.warn({ epoch: newEpoch, continuesFrom: formatPosition(continuesFrom), mode, fencedPeer: fence !== undefined }, "promoted: this side is the writer");
            await this.settleRole(await this.discover(signal), signal);
            return {
                epoch: newEpoch,
                continuesFrom,
                fencedPeer: fence !== undefined,
                appliedDuringPromotion: progress.applied,
                unreplicatedEntries: unreplicated,
                alreadyActive: false,
            };
        });
    }

    /** Writes a snapshot set of this side's store, covering the position the store is known to hold. */
    snapshot(): Promise<SnapshotManifest> {
        const [target] = this.options.snapshots;
        if (!target) throw new HttpError(409, "no snapshot location is configured (SNAPSHOT_URLS)");
        const covered = this.role === "active" ? this.head : this.position;
        if (!covered) throw new HttpError(409, "nothing to snapshot yet: this side holds no journal position");
        return writeSnapshotSet(this.options.store, target, covered, AbortSignal.timeout(30 * 60_000));
    }

    /**
     * Every epoch in both journals. When the other side cannot be read, a writer keeps writing
     * (its availability must not hang on the other cloud) and an unplanned promotion goes on with
     * what it has; a standby's round fails instead, so its lag grows and it stops looking fit.
     */
    private async discover(signal: AbortSignal, tolerant = this.role === "active"): Promise<EpochMap> {
        const epochs: EpochMap = new Map();
        for (const epoch of await this.own.epochs(signal)) epochs.set(epoch, this.own);
        this.peerReadable = true;
        if (this.peer) {
            let peerEpochs: number[] = [];
            try {
                peerEpochs = await this.peer.epochs(signal);
            } catch (error) {
                this.peerReadable = false;
                if (!tolerant) throw error;
            }
            for (const epoch of peerEpochs) {
                if (epochs.has(epoch)) throw new Error(`both sides claim epoch ${epoch}: promote one side explicitly to start a newer epoch`);
                epochs.set(epoch, this.peer);
            }
        }
        const newest = Math.max(0, ...epochs.keys());
        this.options.metrics.replicationEpoch.set(newest);
        return epochs;
    }

    private async settleRole(epochs: EpochMap, signal: AbortSignal): Promise<void> {
        const ownEpochs = [...epochs.entries()].filter(([, l]) => l === this.own).map(([e]) => e);
        const newest = Math.max(0, ...epochs.keys());
        if (newest === 0) {
            if (this.options.initialRole === "standby") {
                this.role = "standby";
                return;
            }
            // A store that already took part in a history must never start a new one: its
            // journal was emptied (a wrong location, an expiry), not never written.
            const meta = await readMeta(this.options.store, signal);
            if (meta && (meta.writerEpoch !== undefined || meta.position !== null)) {
                throw new Error(`no epoch is in the journals, but this store has been part of epoch ${meta.writerEpoch ?? meta.position?.epoch}: check JOURNAL_URL and PEER_JOURNAL_URLS; a new history is not started over it`);
            }
            // The very first writer starts the history (several replicas may race; one start wins),
            // but only once it knows the other side has none: it may merely be unreachable.
            if (!this.peerReadable) throw new Error("the other side's journal cannot be read, so this side cannot tell whether a history exists already");
            await this.own.create({ kind: "epoch-start", epoch: 1, seq: 0, writtenAt: new Date().toISOString(), continuesFrom: null }, signal);
            return this.settleRole(await this.discover(signal), signal);
        }
        if (ownEpochs.includes(newest)) {
            if (this.writer?.epoch === newest && !this.writer.fenced) return this.keepEpochVisible(newest, signal);
            // With the other side unreadable, own newest is only trusted when this instance
            // already knew it as the newest, or the store records writing it.
            const meta = (await readMeta(this.options.store, signal)) ?? { position: null };
            const known = meta.writerEpoch === newest || this.epoch === newest;
            if (!this.peerReadable && !known) {
                throw new Error(`the other side's journal cannot be read: epoch ${newest} of this side cannot be confirmed as the newest, so it takes no writes`);
            }
            this.epoch = newest;
            this.writer = await JournalWriter.open(this.own, newest, (by) => this.onFenced(by));
            this.head = this.writer.head;
            this.role = "active";
            this.fencedBy = undefined;
            if (meta.writerEpoch !== newest) await this.options.store.writeMeta(META_NAME, { ...meta, writerEpoch: newest } satisfies ReplicationMeta, signal);
            return this.keepEpochVisible(newest, signal);
        }
        this.epoch = newest;
        if (this.writer) {
            this.writer.fence(newest);
            this.writer = undefined;
        }
        if (this.role === "active") this.options.log.warn({ epoch: newest }, "a newer epoch exists on the other side: this side is a read-only standby now");
        this.role = "standby";
        await this.adoptWrittenHistory(signal);
    }

    /**
     * A side that wrote an epoch holds its entries without having a position: when it turns
     * standby, its position is the end of what it wrote (so it replays only the newer epoch).
     */
    private async adoptWrittenHistory(signal: AbortSignal): Promise<void> {
        const meta = (await readMeta(this.options.store, signal)) ?? { position: null };
        if (meta.writerEpoch === undefined) return;
        const head = await this.own.head(meta.writerEpoch, signal);
        const position = head && (!meta.position || comparePositions(head, meta.position) > 0) ? head : meta.position;
        await this.options.store.writeMeta(META_NAME, { position, diverged: meta.diverged } satisfies ReplicationMeta, signal);
    }

    /**
     * Entries expire by age (the bucket's lifecycle), epochs must not: an idle writer would
     * otherwise lose the last trace of its epoch. The writer rewrites a marker in the epoch's
     * folder well within the shortest expiry.
     */
    private async keepEpochVisible(epoch: number, signal: AbortSignal): Promise<void> {
        if (this.markerWritten?.epoch === epoch && Date.now() - this.markerWritten.at < EPOCH_MARKER_EVERY_MS) return;
        const head = await this.own.head(epoch, signal);
        if (head) await this.own.markEpoch(head, signal);
        this.markerWritten = { epoch, at: Date.now() };
    }

    private onFenced(byEpoch: number): void {
        this.fencedBy = byEpoch;
        this.options.log.warn({ byEpoch }, "fenced: a newer epoch writes now; refusing writes");
    }

    private async follow(epochs: EpochMap, how: { ignoreLease?: boolean; until?: Position }, signal: AbortSignal): Promise<Progress> {
        const apply = how.ignoreLease === true || (this.options.apply && (this.holdsLease = await this.options.lease.tryAcquire()));
        const progress = await this.follower.advance(epochs, { apply, until: how.until }, signal);
        this.position = progress.position;
        this.head = progress.position && progress.pending > 0 ? null : progress.position;
        this.oldestPendingAt = progress.oldestPendingWrittenAt?.getTime();
        if (progress.bootstrapped) {
            this.options.metrics.replicationBootstrap.set(progress.bootstrapped.ms / 1000);
            this.options.log.info(progress.bootstrapped, "standby bootstrapped from a snapshot set");
        }
        if (progress.position !== null && progress.pending === 0) {
            this.lastSyncAt = Date.now();
            this.everCaughtUp = true;
        }
        this.diverged = progress.diverged;
        return progress;
    }

    /** Appends a fence at the end of the old writer's epoch, in its own journal; returns where. */
    private async fencePeer(peerEpoch: number, newEpoch: number): Promise<Position> {
        const location = this.peerPrimary!;
        const signal = AbortSignal.timeout(PEER_CALL_MS);
        for (let race = 0; race < 50; race++) {
            const head = (await location.head(peerEpoch, signal)) ?? { epoch: peerEpoch, seq: 0 };
            const newest = await location.read(head, signal);
            if (newest?.kind === "fence") return head; // an earlier promotion attempt fenced it already
            const fence = { kind: "fence" as const, epoch: peerEpoch, seq: head.seq + 1, writtenAt: new Date().toISOString(), fencedBy: newEpoch };
            if ((await location.create(fence, signal)) === "created") return { epoch: peerEpoch, seq: fence.seq };
        }
        throw new Error(`could not append a fence to ${location.url}: the old writer keeps winning`);
    }

    private serialized<T>(work: () => Promise<T>): Promise<T> {
        const run = this.exclusive.then(work);
        this.exclusive = run.catch(() => undefined);
        return run;
    }
}
