import { Command } from "commander";
import { z } from "zod";
import { stackContext, type Deps } from "../context";
import { EXIT, InputError, RefusedError } from "../errors";
import { actionOptionsSchema, addActionOptions, parseOptions } from "../options";
import { currentWriter } from "../plans/writer";
import { otherSide } from "../sides";
import { runCli } from "../cli";

const schema = actionOptionsSchema.extend({
    local: z.boolean().default(false),
    stack: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "--stack must be a stack name"),
    allowProd: z.boolean().default(false),
    maxSeconds: z.coerce.number().int().min(30).max(900).default(150),
});

/**
 * `drill`: a failover to the standby, then a failback, on a non-prod stack, through the same
 * commands an on-call runs. `drill --local`: the same against two local service instances and
 * loopback stand-ins of Route53 and Kubernetes, measuring RTO and RPO under load.
 */
export function drillCommand(deps: Deps, setExit: (code: number) => void): Command {
    return addActionOptions(new Command("drill"))
        .description("Failover then failback on a non-prod stack, with a report; --local runs it on this machine")
        .option("--local", "run the drill on loopback: two service instances, a Route53 stand-in, a load generator")
        .option("--allow-prod", "allow a drill on a stack whose environment is prod")
        .option("--max-seconds <n>", "--local: stop the drill after this long", "150")
        .action(async (raw: unknown) => {
            const given = raw as { local?: boolean; stack?: string };
            // The local drill uses a stack's settings only (prod by default); no outputs, no cloud.
            const o = parseOptions(schema, { ...given, stack: given.stack ?? (given.local ? "prod" : undefined) });
            if (o.local) {
                // Loaded here only: it spawns service processes and pulls in the stand-ins.
                const { runLocalDrill } = await import("../local/drill");
                const report = await runLocalDrill({ stack: o.stack, stacksDir: o.stacksDir, io: deps.io, maxSeconds: o.maxSeconds, json: o.json });
                setExit(report.passed ? EXIT.ok : EXIT.failed);
                return;
            }
            const ctx = await stackContext(o, deps);
            if (ctx.config.environment === "prod" && !o.allowProd) throw new InputError(`stack ${o.stack} is prod: a drill fails production over`, "drill on staging or dev, or pass --allow-prod");
            const common = ["--stack", o.stack, ...(o.outputs ? ["--outputs", o.outputs] : []), ...(o.stacksDir ? ["--stacks-dir", o.stacksDir] : []), "--state-dir", o.stateDir, ...(o.yes ? ["--yes"] : []), ...(o.dryRun ? ["--dry-run"] : []), ...(o.json ? ["--json"] : []), ...(o.configWrite ? [] : ["--no-config-write"])];
            const standby = o.dryRun ? otherSide(ctx.config.dr.activeSide) : otherSide(await currentWriter(ctx.adapters));
            deps.io.err(`drill on ${o.stack}: failover to ${standby}, then failback`);
            const failover = await runCli(["failover", "--to", standby, "--mode", "planned", ...common], deps);
            if (failover !== EXIT.ok) throw new RefusedError(`the drill's failover exited ${failover}; the stack may be mid-way: run status`);
            const failback = await runCli(["failback", "--to", otherSide(standby), ...common], deps);
            if (failback !== EXIT.ok) throw new RefusedError(`the drill's failback exited ${failback}; run status, then failback again`);
            deps.io.err(`drill on ${o.stack}: failover and failback done`);
        });
}
