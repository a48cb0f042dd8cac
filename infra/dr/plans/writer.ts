import type { Adapters, ReplicationStatus } from "../adapters/types";
import { RefusedError } from "../errors";
import { SIDES, type Side } from "../sides";

export type SideReplication = { side: Side; replication?: ReplicationStatus; error?: string };

/** Both sides' `/v1/replication`, in parallel; an unreachable side carries its error. */
export async function bothSides(adapters: Adapters): Promise<SideReplication[]> {
    return Promise.all(SIDES.map(async (side) => {
        try {
            return { side, replication: await adapters.service(side).replication() };
        } catch (error) {
            return { side, error: error instanceof Error ? error.message : String(error) };
        }
    }));
}

export const isWriter = (r: ReplicationStatus | undefined) => r !== undefined && r.role === "active" && !r.fenced;

/** The side that accepts writes now; refuses when none (or both) says so. */
export async function currentWriter(adapters: Adapters): Promise<Side> {
    const sides = await bothSides(adapters);
    const writers = sides.filter((s) => isWriter(s.replication));
    if (writers.length === 1) return writers[0]!.side;
    const seen = sides.map((s) => `${s.side}: ${s.replication ? `${s.replication.role}${s.replication.fenced ? " (fenced)" : ""} epoch ${s.replication.epoch}` : s.error}`).join("; ");
    throw new RefusedError(writers.length === 0 ? `no side is the writer (${seen})` : `both sides claim to be the writer (${seen})`);
}
