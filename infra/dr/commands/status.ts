import { Command } from "commander";
import { stackContext, type Deps } from "../context";
import { EXIT } from "../errors";
import { addCommonOptions, commonOptionsSchema, parseOptions } from "../options";
import { gatherStatus, type StatusReport } from "../plans/status";
import { SIDES } from "../sides";

function render(stack: string, r: StatusReport): string {
    const lines = [`status of ${stack}: ${r.verdict.state.toUpperCase()}`];
    if ("error" in r.dns) lines.push(`  Route53: unreadable (${r.dns.error})`);
    else {
        const h = r.dns.health;
        lines.push(`  Route53: serves ${r.dns.serving} (PRIMARY ${r.dns.records.primary}, SECONDARY ${r.dns.records.secondary}, TTL ${r.dns.records.ttlSeconds} s; checks aws ${h.aws.healthy ? "healthy" : "UNHEALTHY"} ${h.aws.healthyCheckers}/${h.aws.checkers}, gcp ${h.gcp.healthy ? "healthy" : "UNHEALTHY"} ${h.gcp.healthyCheckers}/${h.gcp.checkers})`);
    }
    for (const side of SIDES) {
        const s = r.sides[side];
        const rep = s.replication;
        const vector = (s.health?.components as Record<string, { status?: string; detail?: string }> | undefined)?.vectorstore;
        lines.push(`  ${side}: /health ${s.httpStatus ?? "unreachable"}${rep ? `, ${rep.role}${rep.fenced ? " (fenced)" : ""}, epoch ${rep.epoch}, position ${rep.position ? `e${rep.position.epoch}/${rep.position.seq}` : "none"}, lag ${rep.lagSeconds ?? "-"} s${rep.role === "standby" ? `, fit for failover: ${rep.fitForFailover ? "yes" : `no (${rep.reason})`}` : ""}` : ""}${vector ? `; vector store ${vector.status ?? "?"}: ${vector.detail ?? ""}` : ""}${s.error ? ` (${s.error})` : ""}`);
    }
    if (r.snapshots === null) lines.push("  snapshot sets: not reported (the stack exports no replication outputs)");
    else for (const side of SIDES) {
        const set = r.snapshots[side];
        lines.push(`  newest snapshot set on ${side}: ${set === null ? "none" : "error" in set ? `unreadable (${set.error})` : `${set.setId} at ${set.createdAt}, journal e${set.journal.epoch}/${set.journal.seq}, ${set.points} points`}`);
    }
    lines.push(`  failover now: ${r.verdict.failoverSafe ? "safe" : "NOT safe"}; it would lose ${r.verdict.wouldLose} (RPO ${r.rpoSeconds} s)`);
    for (const p of r.verdict.problems) lines.push(`  - ${p}`);
    return lines.join("\n");
}

/** Exit 0 healthy, 1 degraded, 2 cannot determine. */
export function statusCommand(deps: Deps, setExit: (code: number) => void): Command {
    return addCommonOptions(new Command("status"))
        .description("Which side DNS serves, each side's health and replication, newest snapshot sets, and whether a failover is safe now")
        .action(async (raw: unknown) => {
            const o = parseOptions(commonOptionsSchema, raw);
            const ctx = await stackContext(o, deps);
            const report = await gatherStatus(ctx.adapters, { rpoSeconds: ctx.config.dr.rpoMinutes * 60, withSnapshots: ctx.outputs.replication !== undefined });
            deps.io.out(o.json ? JSON.stringify({ stack: o.stack, ...report }, null, 2) : render(o.stack, report));
            setExit(report.verdict.state === "healthy" ? EXIT.ok : report.verdict.state === "degraded" ? EXIT.failed : EXIT.badInput);
        });
}
