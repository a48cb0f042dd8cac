import type { Adapters, FailoverRecords, HealthCheckState, SnapshotManifest } from "../adapters/types";
import { oneLine } from "../errors";
import { SIDES, otherSide, type Side } from "../sides";
import { newestSet } from "./snapshots";
import { bothSides, isWriter, type SideReplication } from "./writer";

export interface StatusReport {
    dns: { records: FailoverRecords; health: Record<Side, HealthCheckState>; serving: Side } | { error: string };
    sides: Record<Side, { url: string; httpStatus: number | null; health: Record<string, unknown> | null; replication: SideReplication["replication"] | null; error?: string }>;
    snapshots: Record<Side, { setId: string; createdAt: string; journal: SnapshotManifest["journal"]; points: number } | { error: string } | null> | null;
    rpoSeconds: number;
    verdict: { state: "healthy" | "degraded" | "unknown"; writer: Side | null; failoverSafe: boolean; wouldLose: string; problems: string[] };
}

/** Route53's rule: the PRIMARY while it is healthy, else a healthy SECONDARY, else the PRIMARY anyway. */
export function servedSide(records: FailoverRecords, health: Record<Side, HealthCheckState>): Side {
    if (health[records.primary].healthy) return records.primary;
    if (health[records.secondary].healthy) return records.secondary;
    return records.primary;
}

async function settle<T>(promise: Promise<T>): Promise<{ value: T } | { error: string }> {
    try {
        return { value: await promise };
    } catch (error) {
        return { error: oneLine(error) };
    }
}

/** Reads everything `status` reports, in parallel, each with its own deadline; nothing is changed. */
export async function gatherStatus(adapters: Adapters, o: { rpoSeconds: number; withSnapshots: boolean }): Promise<StatusReport> {
    const dns = adapters.dns();
    const [records, awsCheck, gcpCheck, replication, awsHealth, gcpHealth, awsSet, gcpSet] = await Promise.all([
        settle(dns.records()),
        settle(dns.healthCheck("aws")),
        settle(dns.healthCheck("gcp")),
        bothSides(adapters),
        settle(adapters.service("aws").health()),
        settle(adapters.service("gcp").health()),
        o.withSnapshots ? settle(Promise.resolve().then(() => newestSet(adapters.snapshots("aws")))) : Promise.resolve(undefined),
        o.withSnapshots ? settle(Promise.resolve().then(() => newestSet(adapters.snapshots("gcp")))) : Promise.resolve(undefined),
    ]);
    const problems: string[] = [];
    let dnsPart: StatusReport["dns"];
    if ("value" in records && "value" in awsCheck && "value" in gcpCheck) {
        const health = { aws: awsCheck.value, gcp: gcpCheck.value };
        dnsPart = { records: records.value, health, serving: servedSide(records.value, health) };
        for (const side of SIDES) {
            if (health[side].disabled) problems.push(`Route53 health check of ${side} is disabled: Route53 treats it as healthy whatever the endpoint says`);
            if (health[side].inverted) problems.push(`Route53 health check of ${side} is inverted: a dead ${side} reads healthy`);
        }
    } else {
        dnsPart = { error: [records, awsCheck, gcpCheck].flatMap((r) => ("error" in r ? [r.error] : [])).join("; ") };
    }
    const healths = { aws: awsHealth, gcp: gcpHealth };
    const sides = Object.fromEntries(SIDES.map((side) => {
        const h = healths[side];
        const r = replication.find((s) => s.side === side)!;
        return [side, {
            url: adapters.service(side).url,
            httpStatus: "value" in h ? h.value.httpStatus : null,
            health: "value" in h ? h.value.body : null,
            replication: r.replication ?? null,
            ...("error" in h ? { error: h.error } : r.error ? { error: r.error } : {}),
        }];
    })) as StatusReport["sides"];
    const sets = { aws: awsSet, gcp: gcpSet };
    const snapshots = o.withSnapshots
        ? Object.fromEntries(SIDES.map((side) => {
            const s = sets[side];
            if (s === undefined) return [side, null];
            if ("error" in s) return [side, { error: s.error }];
            return [side, s.value ? { setId: s.value.setId, createdAt: s.value.createdAt, journal: s.value.journal, points: s.value.points } : null];
        })) as StatusReport["snapshots"]
        : null;

    const writers = SIDES.filter((side) => isWriter(sides[side].replication ?? undefined));
    const writer = writers.length === 1 ? writers[0]! : null;
    const answered = SIDES.filter((side) => sides[side].replication !== null);
    let failoverSafe = false;
    let wouldLose = "unknown";
    if (writers.length > 1) problems.push("both sides accept writes (split brain): fence one with failover --to the side that should win");
    if (writer === null && writers.length === 0) problems.push("no side accepts writes");
    if (writer !== null) {
        const standby = otherSide(writer);
        const s = sides[standby].replication;
        if (sides[writer].httpStatus !== 200) problems.push(`the writer ${writer} /health answered ${sides[writer].httpStatus ?? "nothing"}`);
        if (s === null || s === undefined) {
            problems.push(`the standby ${standby} does not answer /v1/replication`);
        } else {
            failoverSafe = s.fitForFailover && s.lagSeconds !== null && s.lagSeconds <= o.rpoSeconds;
            wouldLose = s.lagSeconds === null ? "unknown (the standby never caught up)" : `about ${s.lagSeconds.toFixed(1)} s of acknowledged writes`;
            if (!failoverSafe) problems.push(`the standby ${standby} is not fit for failover: ${s.reason} (lag ${s.lagSeconds ?? "unknown"} s, RPO ${o.rpoSeconds} s)`);
        }
        if ("serving" in dnsPart && dnsPart.serving !== writer) problems.push(`Route53 serves ${dnsPart.serving} but the writer is ${writer}`);
    }
    if (snapshots !== null && SIDES.every((side) => snapshots[side] === null || "error" in snapshots[side]!)) problems.push("no snapshot set found on either cloud");
    const unknown = "error" in dnsPart || answered.length === 0;
    return {
        dns: dnsPart,
        sides,
        snapshots,
        rpoSeconds: o.rpoSeconds,
        verdict: { state: unknown ? "unknown" : problems.length === 0 ? "healthy" : "degraded", writer, failoverSafe, wouldLose, problems },
    };
}
