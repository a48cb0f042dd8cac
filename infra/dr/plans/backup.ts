import type { Adapters } from "../adapters/types";
import { RefusedError, oneLine } from "../errors";
import type { Plan } from "../runner/machine";
import { otherSide, type Side } from "../sides";
import { badFiles, copySet, readManifest } from "./snapshots";

/**
 * Backup: the writer writes a logical snapshot set now (its manifest records the journal
 * position it covers), its checksums are verified where it was written, it is copied to the
 * other cloud and verified again there.
 */
export function backupPlan(adapters: Adapters, writer: Side): Plan {
    const copySide = otherSide(writer);
    const setIdOf = (facts: Record<string, unknown>) => {
        if (typeof facts.setId !== "string") throw new Error("no snapshot set recorded by the snapshot step");
        return facts.setId;
    };
    return {
        command: "backup",
        steps: [
            {
                id: "snapshot",
                title: `Write a snapshot set on ${writer} now (POST /admin/v1/snapshots)`,
                touches: `${writer} service admin API; ${writer}'s snapshot location`,
                async holds(ctx) {
                    return (await readManifest(adapters.snapshots(writer), setIdOf(ctx.facts)))?.complete === true;
                },
                async run(ctx) {
                    let manifest;
                    try {
                        manifest = await adapters.service(writer).snapshot();
                    } catch (error) {
                        throw new RefusedError(`the writer ${writer} cannot write a snapshot set: ${oneLine(error)}`);
                    }
                    ctx.progress(`set ${manifest.setId}: ${manifest.points} points, journal e${manifest.journal.epoch}/${manifest.journal.seq}, ${manifest.files.length} files`);
                    return { setId: manifest.setId, points: manifest.points, journal: manifest.journal };
                },
            },
            {
                id: "verify-source",
                title: `Verify the set's checksums at ${writer}'s snapshot location`,
                touches: `${writer}'s snapshot location (read)`,
                async run(ctx) {
                    const setId = setIdOf(ctx.facts);
                    const manifest = await readManifest(adapters.snapshots(writer), setId);
                    if (!manifest?.complete) throw new Error(`${adapters.snapshots(writer).url}: set ${setId} has no complete manifest`);
                    const bad = await badFiles(adapters.snapshots(writer), manifest);
                    if (bad.length > 0) throw new Error(`set ${setId} at ${writer}: bad checksum or missing: ${bad.join(", ")}`);
                    return { verifiedFiles: manifest.files.length };
                },
            },
            {
                id: "copy",
                title: `Copy the set to ${copySide}'s snapshot location (files first, manifest last)`,
                touches: `${writer}'s snapshot location (read), ${copySide}'s snapshot location (write)`,
                async run(ctx) {
                    const setId = setIdOf(ctx.facts);
                    const manifest = (await readManifest(adapters.snapshots(writer), setId))!;
                    const copied = await copySet(adapters.snapshots(writer), adapters.snapshots(copySide), manifest, ctx.progress);
                    return { copiedFiles: copied };
                },
            },
            {
                id: "verify-copy",
                title: `Verify the copy's checksums at ${copySide}`,
                touches: `${copySide}'s snapshot location (read)`,
                async run(ctx) {
                    const setId = setIdOf(ctx.facts);
                    const manifest = await readManifest(adapters.snapshots(copySide), setId);
                    if (!manifest?.complete) throw new Error(`set ${setId} has no manifest at ${copySide}`);
                    const bad = await badFiles(adapters.snapshots(copySide), manifest);
                    if (bad.length > 0) throw new Error(`copy of ${setId} at ${copySide}: bad checksum or missing: ${bad.join(", ")}`);
                    return { copyVerified: true };
                },
            },
        ],
    };
}
