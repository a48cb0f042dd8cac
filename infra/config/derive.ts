import type { ParsedStackConfig } from "./schema";

/** Snapshot intervals the journal keeps beyond the newest snapshot set: two snapshot runs may fail in a row. */
export const JOURNAL_MARGIN_SNAPSHOTS = 3;

/** Prefix of the logical snapshot sets in the backup buckets (beside the Qdrant snapshots, one folder per collection). */
export const LOGICAL_SNAPSHOT_ROOT = "logical-snapshots";

/** Snapshot intervals (minutes) that a cron schedule expresses exactly. */
const CRON_FRIENDLY_MINUTES = [5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 480, 720, 1440] as const;

/** Assumed delay between an S3 object landing and Storage Transfer copying it in event mode. */
const EVENT_TRANSFER_LAG_MINUTES = 5;

export interface BackupSchedule {
    /** Minutes between two Qdrant snapshots. */
    snapshotEveryMinutes: number;
    /** Cron expression for the snapshot CronJob. */
    snapshotCron: string;
    /** Seconds between two scheduled transfers (schedule mode), as Storage Transfer's `repeatInterval`. */
    transferRepeatInterval: string;
    /** Data that can be lost in the worst case: snapshot interval plus transfer delay. */
    worstCaseRpoMinutes: number;
}

export interface JournalExpiry {
    /** Whole days covering JOURNAL_MARGIN_SNAPSHOTS snapshot intervals: entries a replay from the newest set may still need. */
    marginDays: number;
    /** Age in days after which the lifecycle deletes a journal entry: the margin plus the retention. */
    expiryDays: number;
}

export interface RecoveryTimes {
    /** Seconds for Route53 to see the active side fail: interval x failure threshold. */
    detectionSeconds: number;
    /** Seconds until resolvers drop the cached answer. */
    ttlSeconds: number;
    /** Seconds for the standby to scale up (pilot-light only). */
    scaleUpSeconds: number;
    /** detection + TTL + scale-up: the RTO the settings imply. */
    impliedRtoSeconds: number;
}

/** A cron expression firing every `minutes` minutes (a value from CRON_FRIENDLY_MINUTES). */
export function cronEvery(minutes: number): string {
    if (minutes < 60) return `*/${minutes} * * * *`;
    if (minutes === 60) return "0 * * * *";
    if (minutes < 1440) return `0 */${minutes / 60} * * *`;
    return "0 0 * * *";
}

/**
 * Half the RPO goes to the snapshot interval and half to the transfer, so the worst case
 * (a write just after a snapshot, copied at the end of the next transfer window) stays within it.
 */
export function backupSchedule(rpoMinutes: number, transferMode: "event" | "schedule"): BackupSchedule {
    const half = rpoMinutes / 2;
    const snapshotEveryMinutes = [...CRON_FRIENDLY_MINUTES].reverse().find((m) => m <= half) ?? CRON_FRIENDLY_MINUTES[0];
    const transferMinutes = transferMode === "schedule" ? snapshotEveryMinutes : EVENT_TRANSFER_LAG_MINUTES;
    return {
        snapshotEveryMinutes,
        snapshotCron: cronEvery(snapshotEveryMinutes),
        transferRepeatInterval: `${snapshotEveryMinutes * 60}s`,
        worstCaseRpoMinutes: snapshotEveryMinutes + transferMinutes,
    };
}

/**
 * When journal entries may expire. A replay starts at the position the newest logical snapshot
 * set records, so an entry is needed until a newer set covers it: at most one snapshot interval,
 * or a few when runs fail. Lifecycle rules work in whole days, so the margin is rounded up, and
 * the retention on top keeps older sets replayable too.
 */
export function journalExpiry(snapshotEveryMinutes: number, retentionDays: number): JournalExpiry {
    const marginDays = Math.ceil((snapshotEveryMinutes * JOURNAL_MARGIN_SNAPSHOTS) / (24 * 60));
    return { marginDays, expiryDays: marginDays + retentionDays };
}

export function recoveryTimes(config: Pick<ParsedStackConfig, "dns" | "dr">): RecoveryTimes {
    const detectionSeconds = config.dns.healthCheck.intervalSeconds * config.dns.healthCheck.failureThreshold;
    const ttlSeconds = config.dns.ttlSeconds;
    const scaleUpSeconds = config.dr.mode === "pilot-light" ? Math.round(config.dr.scaleUpMinutes * 60) : 0;
    return { detectionSeconds, ttlSeconds, scaleUpSeconds, impliedRtoSeconds: detectionSeconds + ttlSeconds + scaleUpSeconds };
}
