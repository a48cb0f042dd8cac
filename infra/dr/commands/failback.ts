import { Command } from "commander";
import { z } from "zod";
import type { ReplicationStatus } from "../adapters/types";
import { runOptions, stackContext, type Deps, type StackContext } from "../context";
import { RefusedError } from "../errors";
import { actionOptionsSchema, addActionOptions, parseOptions, seconds } from "../options";
import { switchPlan, switchReport, type SwitchInputs } from "../plans/failover";
import { runPlan } from "../runner/machine";
import { StateFile } from "../runner/stateFile";
import { otherSide, parseSide, SIDES, type Side } from "../sides";
import { parseIncidentStart } from "./failover";
import { renderSwitchReport } from "./render";

const schema = actionOptionsSchema.extend({
    to: z.string().optional(),
    incidentStart: z.string().optional(),
    scaleTimeout: seconds("--scale-timeout").default(900),
    dnsTimeout: seconds("--dns-timeout").default(300),
});

/** The side to return to: the one that is not the writer now (both sides must answer for a failback). */
async function returnSide(ctx: StackContext): Promise<Side> {
    const states = await Promise.all(SIDES.map(async (side) => [side, await ctx.adapters.service(side).replication().catch(() => undefined)] as const));
    const writers = states.filter(([, r]) => r !== undefined && r.role === "active" && !r.fenced).map(([side]) => side);
    const unreachable = states.filter(([, r]) => r === undefined).map(([side]) => side);
    if (writers.length === 1) return otherSide(writers[0]!);
    if (unreachable.length > 0) throw new RefusedError(`cannot tell which side to fail back to: ${unreachable.join(" and ")} /v1/replication unreachable`, "failback needs both sides; pass --to to name the side");
    const described = states.map(([side, r]) => `${side} ${(r as ReplicationStatus).role}${(r as ReplicationStatus).fenced ? " (fenced)" : ""}`).join(", ");
    throw new RefusedError(`cannot tell which side to fail back to (${described})`, "pass --to to name the side");
}

export function failbackCommand(deps: Deps): Command {
    return addActionOptions(new Command("failback"))
        .description("Return to the original side once its follower has replayed everything written during the outage (planned: loses nothing)")
        .option("--to <side>", "the side to return to (default: the side that is not the writer now)")
        .option("--incident-start <time>", "ISO time to measure the RTO from")
        .option("--scale-timeout <seconds>", "how long to wait for the target's replicas", "900")
        .option("--dns-timeout <seconds>", "how long to wait for Route53 and the target's health", "300")
        .action(async (raw: unknown) => {
            const o = parseOptions(schema, raw);
            const named = o.to === undefined ? undefined : parseSide(o.to, "--to");
            const incidentStart = parseIncidentStart(o.incidentStart);
            const ctx = await stackContext(o, deps);
            // A resumed failback keeps its target: after its promotion the writer has already moved.
            const unfinished = StateFile.forStack(o.stateDir, o.stack).read();
            const resumedTarget = unfinished && unfinished.state !== "done" ? /^failback --to (aws|gcp)$/.exec(unfinished.command)?.[1] as Side | undefined : undefined;
            const target = named ?? resumedTarget ?? (o.dryRun ? otherSide(ctx.config.dr.activeSide) : await returnSide(ctx));
            const inputs: SwitchInputs = {
                kind: "failback", stack: o.stack, target, outputs: ctx.outputs, adapters: ctx.adapters,
                rpoSeconds: ctx.config.dr.rpoMinutes * 60, rtoTargetSeconds: ctx.config.dr.rtoMinutes * 60,
                mode: "planned", acceptDataLoss: false, incidentStart, writeConfig: o.configWrite, stacksDir: o.stacksDir,
                scaleTimeoutMs: o.scaleTimeout * 1000, dnsTimeoutMs: o.dnsTimeout * 1000, pollMs: 2_000,
            };
            const result = await runPlan(switchPlan(inputs), runOptions(o, deps));
            if (result.dryRun) return;
            const report = { command: "failback", stack: o.stack, runId: result.runId, resumed: result.resumed, steps: result.steps, ...switchReport(inputs, result.facts, result.startedAt) };
            deps.io.out(o.json ? JSON.stringify(report, null, 2) : renderSwitchReport(report));
        });
}
