import { Command } from "commander";
import { runOptions, stackContext, type Deps } from "../context";
import { actionOptionsSchema, addActionOptions, parseOptions } from "../options";
import { backupPlan } from "../plans/backup";
import { currentWriter } from "../plans/writer";
import { runPlan } from "../runner/machine";
import { requireReplication } from "../stack/outputs";

export function backupCommand(deps: Deps): Command {
    return addActionOptions(new Command("backup"))
        .description("Snapshot now on the writer, verify checksums, copy to the other cloud, verify again")
        .action(async (raw: unknown) => {
            const o = parseOptions(actionOptionsSchema, raw);
            const ctx = await stackContext(o, deps);
            requireReplication(ctx.outputs, "backup");
            const writer = o.dryRun ? ctx.config.dr.activeSide : await currentWriter(ctx.adapters);
            const result = await runPlan(backupPlan(ctx.adapters, writer), runOptions(o, deps));
            if (result.dryRun) return;
            const report = { command: "backup", stack: o.stack, runId: result.runId, writer, steps: result.steps, setId: result.facts.setId, points: result.facts.points, journal: result.facts.journal };
            deps.io.out(o.json ? JSON.stringify(report, null, 2) : `backup on ${o.stack}: set ${String(report.setId)} (${String(report.points)} points) written on ${writer}, copied and verified on both clouds`);
        });
}
