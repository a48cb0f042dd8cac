import type { Adapters, SnapshotManifest } from "../adapters/types";
import { RefusedError, oneLine } from "../errors";
import type { Plan } from "../runner/machine";
import { otherSide, type Side } from "../sides";
import { badFiles, copySet, newestSet, readManifest } from "./snapshots";
import { waitFor } from "./wait";

export interface RestoreInputs {
    adapters: Adapters;
    target: Side;
    /** A set id, or "latest". */
    from: string;
    replayTimeoutMs: number;
    pollMs: number;
}

/**
 * Restore a side from a snapshot set, then replay the journal from the position the set's
 * manifest records. The set is found at the target's own location first (its cloud), then at
 * the other side's; it is verified, staged where the target's follower bootstraps from, and the
 * runbook waits until the follower has bootstrapped and replayed past the set's position.
 * A writer is never restored over: restore a standby, then fail over to it.
 */
export function restorePlan(i: RestoreInputs): Plan {
    const { adapters, target } = i;
    const other = otherSide(target);
    const locate = async (): Promise<{ manifest: SnapshotManifest; side: Side }> => {
        for (const side of [target, other]) {
            let manifest: SnapshotManifest | undefined;
            try {
                manifest = i.from === "latest" ? await newestSet(adapters.snapshots(side)) : await readManifest(adapters.snapshots(side), i.from);
            } catch {
                continue; // that cloud's storage may be the failed one
            }
            if (manifest?.complete) return { manifest, side };
        }
        throw new RefusedError(`no snapshot set ${i.from === "latest" ? "" : `"${i.from}" `}found at ${target}'s or ${other}'s snapshot location`,
            "run backup first, or name a set that `status` lists");
    };
    return {
        command: `restore --from ${i.from} --to ${target}`,
        steps: [
            {
                id: "preflight",
                title: `Pre-flight: find the set (${i.from}) and verify its checksums; ${target} must not be the writer`,
                touches: `${target}'s and ${other}'s snapshot locations (read), ${target} service /v1/replication`,
                async run(ctx) {
                    const replication = await adapters.service(target).replication().catch((error: unknown) => {
                        throw new RefusedError(`target not ready: ${oneLine(error)}`);
                    });
                    if (replication.role === "active" && !replication.fenced) {
                        throw new RefusedError(`${target} is the writer (epoch ${replication.epoch}): restoring over it would discard acknowledged writes`, "restore the standby side, then fail over to it");
                    }
                    const { manifest, side } = await locate();
                    const bad = await badFiles(adapters.snapshots(side), manifest);
                    if (bad.length > 0) throw new RefusedError(`set ${manifest.setId} at ${side} fails its checksums: ${bad.join(", ")}`);
                    ctx.progress(`set ${manifest.setId} (${manifest.createdAt}): ${manifest.points} points, journal e${manifest.journal.epoch}/${manifest.journal.seq}, at ${side}`);
                    return { setId: manifest.setId, setSide: side, setJournal: manifest.journal };
                },
            },
            {
                id: "stage",
                title: `Stage the set at ${target}'s snapshot location, where its follower bootstraps from`,
                touches: `${target}'s snapshot location (write)`,
                async run(ctx) {
                    const setId = String(ctx.facts.setId);
                    const side = ctx.facts.setSide as Side;
                    if (side === target) return { staged: "already there" };
                    const manifest = (await readManifest(adapters.snapshots(side), setId))!;
                    const copied = await copySet(adapters.snapshots(side), adapters.snapshots(target), manifest, ctx.progress);
                    return { staged: `${copied} files copied` };
                },
            },
            {
                id: "replay",
                title: `Wait until ${target}'s follower has bootstrapped and replayed the journal past the set's position`,
                touches: `${target} service /v1/replication (read)`,
                async run(ctx) {
                    const from = ctx.facts.setJournal as { epoch: number; seq: number };
                    const status = await waitFor(`${target} to replay past e${from.epoch}/${from.seq}`, async () => {
                        const r = await adapters.service(target).replication();
                        const past = r.position !== null && (r.position.epoch > from.epoch || (r.position.epoch === from.epoch && r.position.seq >= from.seq));
                        return past && r.caughtUp ? r : undefined;
                    }, { timeoutMs: i.replayTimeoutMs, pollMs: i.pollMs, progress: ctx.progress });
                    return { positionAfter: status.position, lagSecondsAfter: status.lagSeconds, fitForFailover: status.fitForFailover };
                },
            },
        ],
    };
}
