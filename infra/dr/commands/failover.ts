import { Command } from "commander";
import { z } from "zod";
import { runOptions, stackContext, type Deps } from "../context";
import { InputError } from "../errors";
import { actionOptionsSchema, addActionOptions, parseOptions, seconds } from "../options";
import { switchPlan, switchReport, type SwitchInputs } from "../plans/failover";
import { runPlan } from "../runner/machine";
import { parseSide } from "../sides";
import { renderSwitchReport } from "./render";

const schema = actionOptionsSchema.extend({
    to: z.string({ error: "--to is required (aws or gcp)" }),
    mode: z.enum(["auto", "planned", "unplanned"], { error: "--mode must be auto, planned or unplanned" }).default("auto"),
    acceptDataLoss: z.boolean().default(false),
    incidentStart: z.string().optional(),
    scaleTimeout: seconds("--scale-timeout").default(900),
    dnsTimeout: seconds("--dns-timeout").default(300),
});

export function parseIncidentStart(value: string | undefined): Date | undefined {
    if (value === undefined) return undefined;
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) throw new InputError(`--incident-start must be an ISO time such as 2026-01-31T03:12:00Z, got "${value}"`);
    return date;
}

export function failoverCommand(deps: Deps): Command {
    return addActionOptions(new Command("failover"))
        .description("Move serving and writes to the other side: pre-flight, scale up, promote, move DNS, verify, record")
        .option("--to <side>", "the side to fail over to: aws or gcp")
        .option("--mode <mode>", "promotion: auto (planned, unplanned if the old writer is unreachable), planned, unplanned", "auto")
        .option("--accept-data-loss", "fail over even when the target's follower lags beyond the RPO")
        .option("--incident-start <time>", "when the outage began (ISO time), to measure the RTO from it")
        .option("--scale-timeout <seconds>", "how long to wait for the target's replicas", "900")
        .option("--dns-timeout <seconds>", "how long to wait for Route53 and the target's health", "300")
        .action(async (raw: unknown) => {
            const o = parseOptions(schema, raw);
            const target = parseSide(o.to, "--to");
            const incidentStart = parseIncidentStart(o.incidentStart);
            const ctx = await stackContext(o, deps);
            const inputs: SwitchInputs = {
                kind: "failover", stack: o.stack, target, outputs: ctx.outputs, adapters: ctx.adapters,
                rpoSeconds: ctx.config.dr.rpoMinutes * 60, rtoTargetSeconds: ctx.config.dr.rtoMinutes * 60,
                mode: o.mode, acceptDataLoss: o.acceptDataLoss, incidentStart, writeConfig: o.configWrite, stacksDir: o.stacksDir,
                scaleTimeoutMs: o.scaleTimeout * 1000, dnsTimeoutMs: o.dnsTimeout * 1000, pollMs: 2_000,
            };
            const result = await runPlan(switchPlan(inputs), runOptions(o, deps));
            if (result.dryRun) return;
            const report = { command: "failover", stack: o.stack, runId: result.runId, resumed: result.resumed, steps: result.steps, ...switchReport(inputs, result.facts, result.startedAt) };
            deps.io.out(o.json ? JSON.stringify(report, null, 2) : renderSwitchReport(report));
        });
}
