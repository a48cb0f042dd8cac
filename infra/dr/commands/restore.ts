import { Command } from "commander";
import { z } from "zod";
import { runOptions, stackContext, type Deps } from "../context";
import { InputError } from "../errors";
import { actionOptionsSchema, addActionOptions, parseOptions, seconds } from "../options";
import { restorePlan } from "../plans/restore";
import { currentWriter } from "../plans/writer";
import { runPlan } from "../runner/machine";
import { otherSide, parseSide } from "../sides";
import { requireReplication } from "../stack/outputs";

const schema = actionOptionsSchema.extend({
    from: z.string({ error: "--from is required (a snapshot set id, or latest)" }).regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "--from must be a snapshot set id or latest"),
    to: z.string().optional(),
    replayTimeout: seconds("--replay-timeout").default(1800),
});

export function restoreCommand(deps: Deps): Command {
    return addActionOptions(new Command("restore"))
        .description("Restore a side (a standby) from a snapshot set, then replay the journal from the set's position")
        .option("--from <set>", "snapshot set id, or latest")
        .option("--to <side>", "the side to restore (default: the side that is not the writer)")
        .option("--replay-timeout <seconds>", "how long to wait for the follower to catch up", "1800")
        .action(async (raw: unknown) => {
            const o = parseOptions(schema, raw);
            const named = o.to === undefined ? undefined : parseSide(o.to, "--to");
            const ctx = await stackContext(o, deps);
            requireReplication(ctx.outputs, "restore");
            if (named === undefined && o.dryRun) throw new InputError("--dry-run of restore needs --to (which side to restore)");
            const target = named ?? otherSide(await currentWriter(ctx.adapters));
            const result = await runPlan(restorePlan({ adapters: ctx.adapters, target, from: o.from, replayTimeoutMs: o.replayTimeout * 1000, pollMs: 2_000 }), runOptions(o, deps));
            if (result.dryRun) return;
            const report = { command: "restore", stack: o.stack, runId: result.runId, target, steps: result.steps, setId: result.facts.setId, setJournal: result.facts.setJournal, positionAfter: result.facts.positionAfter };
            deps.io.out(o.json ? JSON.stringify(report, null, 2) : `restore on ${o.stack}: ${target} restored from set ${String(report.setId)} and replayed to ${JSON.stringify(report.positionAfter)}`);
        });
}
