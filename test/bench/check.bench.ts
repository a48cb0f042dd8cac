/**
 * Bench of `npm run check --state`: generated stack exports of 5,000 and 20,000 resources (copies
 * of the planned prod stack, each with its own providers and ids), checked through the pack
 * process as a user runs it. Reports where the time goes (pack start, parse, Analyze per
 * resource, AnalyzeStack, render) and exits non-zero when a goal is missed:
 * - the whole check of 5,000 resources, pack start included, within 3 s;
 * - linear: 20,000 resources take at most 4.4x the time of 5,000 (4x and 10% slack).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { planStack, type ExportedResource, type StackExport } from "../../infra/plan";
import { PackHost } from "../../policies/check/host";
import { readStateFile } from "../../policies/check/input";
import { renderTable } from "../../policies/check/render";
import { runCheck, type CheckResult } from "../../policies/check/run";
import { STACK_TYPE } from "../../policies/lib/stack";

const WHOLE_GOAL_MS = 3000;
const LINEAR_GOAL = 4.4;

/** `count` resources: the prod stack's resources copied, renaming `prod-` to `prod<i>-` in each copy. */
function generate(base: StackExport, count: number): StackExport {
    const stack = base.deployment.resources.find((r) => r.type === STACK_TYPE) as ExportedResource;
    const body = JSON.stringify(base.deployment.resources.filter((r) => r.type !== STACK_TYPE));
    const resources: ExportedResource[] = [stack];
    for (let i = 0; resources.length < count; i++) {
        const copy = JSON.parse(body.replace(/prod-/g, `prod${i}-`)) as ExportedResource[];
        resources.push(...copy.slice(0, count - resources.length));
    }
    return { version: 3, deployment: { manifest: base.deployment.manifest, resources } };
}

function write(dir: string, state: StackExport): string {
    const file = path.join(dir, `stack-${state.deployment.resources.length}.json`);
    fs.writeFileSync(file, JSON.stringify(state));
    return file;
}

/** A whole check as `npm run check -- --state` runs it: read and validate, start the pack, analyze, render, stop. */
async function wholeCheck(file: string, host?: PackHost): Promise<{ ms: number; cpuMs: number; parse: number; render: number; result: CheckResult }> {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const state = readStateFile(file);
    const parse = performance.now() - start;
    const result = await runCheck(state, { host });
    const beforeRender = performance.now();
    renderTable(result.findings, result.resources);
    const end = performance.now();
    const used = process.cpuUsage(cpu);
    return { ms: end - start, cpuMs: (used.user + used.system) / 1000, parse, render: end - beforeRender, result };
}

function phases(label: string, r: Awaited<ReturnType<typeof wholeCheck>>): string {
    const t = r.result.timings;
    const n = r.result.resources;
    return [
        `  ${label}: ${r.ms.toFixed(0)} ms wall (this process's CPU ${r.cpuMs.toFixed(0)} ms), ${(n / (r.ms / 1000)).toFixed(0)} resources/s`,
        `    pack start ${t.packStart.toFixed(0)} | parse ${r.parse.toFixed(0)} | configure ${t.configure.toFixed(0)} | Analyze ${t.analyze.toFixed(0)} (${((t.analyze * 1000) / n).toFixed(0)} us/resource) | AnalyzeStack ${t.analyzeStack.toFixed(0)} | render ${r.render.toFixed(0)} ms`,
    ].join("\n");
}

async function main(): Promise<number> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-bench-"));
    try {
        const prod = (await planStack("prod")).export;
        const f5k = write(dir, generate(prod, 5000));
        const f20k = write(dir, generate(prod, 20000));
        // The first start of the pack after a change compiles it (ts-node caches the result), as under `pulumi preview`.
        const cold = performance.now();
        (await PackHost.start()).close();
        const coldMs = performance.now() - cold;

        const whole = await wholeCheck(f5k);
        const host = await PackHost.start();
        let running5k: Awaited<ReturnType<typeof wholeCheck>>;
        let running20k: Awaited<ReturnType<typeof wholeCheck>>;
        try {
            await wholeCheck(f5k, host); // Warm the pack process up.
            running5k = await wholeCheck(f5k, host);
            running20k = await wholeCheck(f20k, host);
        } finally {
            host.close();
        }
        const ratio = running20k.ms / running5k.ms;
        const wholeMet = whole.ms <= WHOLE_GOAL_MS;
        const linearMet = ratio <= LINEAR_GOAL;
        const mb = (fs.statSync(f5k).size / 1024 / 1024).toFixed(1);
        process.stdout.write(
            [
                `check.bench: ${whole.result.resources} resources (${mb} MB stack export), ${whole.result.findings.length} findings; first pack start (compile) ${coldMs.toFixed(0)} ms; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`,
                phases("whole check of 5,000, pack start included", whole),
                `    goal <= ${WHOLE_GOAL_MS} ms: ${wholeMet ? "met" : "MISSED"}`,
                phases("5,000 with the pack running", running5k),
                phases("20,000 with the pack running", running20k),
                `  5,000 -> 20,000 resources: ${ratio.toFixed(2)}x (linear goal <= ${LINEAR_GOAL}x: ${linearMet ? "met" : "MISSED"})`,
            ].join("\n") + "\n",
        );
        return wholeMet && linearMet ? 0 : 1;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

void main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        process.stderr.write(`check.bench: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
    },
);
