/**
 * Bench of `npm run check --state`: generated stack exports of 5,000 and 20,000 resources (copies
 * of the planned prod stack, each with its own providers and ids). Reports where the time goes,
 * phase by phase, with the CPU time next to the wall time and the machine's load average, for
 * both transports side by side (the pack in the check's process, the default; the pack as its own
 * process over gRPC, as `pulumi preview` runs it), and exits non-zero when a goal is missed:
 * - the whole check of 5,000 resources as `npm run check -- --state` runs it (`node --require
 *   tsx/cjs policies/check/cli.ts`, a fresh process, the pack loaded by it), median wall time of
 *   ROUNDS runs, within 3 s (npm's own start, printed beside it, comes on top);
 * - linear: 20,000 resources take at most 4.4x the CPU time of 5,000 (4x and 10% slack), the
 *   pack loaded.
 * On a busy machine wall time grows with the load while CPU time barely does: read the CPU
 * columns to tell a slow check from a busy machine (the goals judge wall time regardless).
 * Beside the gRPC check, the same 5,000 Analyze requests go to a server that answers nothing
 * (support/grpc-floor.ts): what the transport alone costs, one call per resource.
 */
// First, as in the pack's entry: the pack's patches to @pulumi/policy apply only before it loads,
// and this file's imports load it.
import "../../policies/lib/install-patches";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { planStack, type ExportedResource, type StackExport } from "../../infra/plan";
import { encodeAnalyzeRequest } from "../../policies/check/encode";
import type { Analyzer } from "../../policies/check/analyzer";
import { PackHost } from "../../policies/check/host";
import { InProcessPack } from "../../policies/check/inprocess";
import { readStateFile } from "../../policies/check/input";
import { renderTable } from "../../policies/check/render";
import type { StateResource } from "../../policies/check/requests";
import { PHASES, runCheck, type CheckResult, type Transport } from "../../policies/check/run";
import { STACK_TYPE } from "../../policies/lib/stack";
import { reportGoals, runBench } from "./goals";
import { median } from "./stats";
import { transportFloor } from "./support/grpc-floor";

const ROOT = path.join(__dirname, "..", "..");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
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

const load = () => `load ${os.loadavg()[0].toFixed(1)}`;

/** The check script of package.json, as npm runs it: `node --require tsx/cjs policies/check/cli.ts`. */
const CHECK_SCRIPT = ["--require", "tsx/cjs", path.join("policies", "check", "cli.ts")];

/** `npm run check -- --state <file> -f json` in a fresh process (through npm itself if `viaNpm`): wall time and the findings it printed. */
function cliCheck(file: string, transport: Transport, viaNpm = false): { ms: number; report: string } {
    const args = ["--state", file, "-f", "json", "--transport", transport];
    const start = performance.now();
    const [command, argv] = viaNpm ? ["npm", ["run", "-s", "check", "--", ...args]] : [process.execPath, [...CHECK_SCRIPT, ...args]];
    const r = spawnSync(command, argv, {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 256 * 1024 * 1024,
    });
    const ms = performance.now() - start;
    if (r.status !== 0 && r.status !== 1) throw new Error(`check of ${file} exited ${r.status}: ${r.stderr.trim()}`);
    return { ms, report: r.stdout };
}

/** A check through runCheck in this process (a fresh pack of `transport` unless `host` is given): the phases with the CPU of the check and of a pack process. */
async function phasedCheck(file: string, how: { host?: Analyzer; transport?: Transport }): Promise<{ ms: number; render: number; result: CheckResult }> {
    const start = performance.now();
    const result = await runCheck(() => readStateFile(file), how);
    const beforeRender = performance.now();
    renderTable(result.findings, result.resources);
    const end = performance.now();
    return { ms: end - start, render: end - beforeRender, result };
}

const f0 = (n: number | undefined) => (n === undefined ? "-" : n.toFixed(0));

/** The Analyze requests a check of `file` sends, encoded as the check encodes them. */
function analyzeRequestsOf(file: string): Buffer[] {
    const resources = (readStateFile(file).deployment.resources as StateResource[]).filter((r) => !r.delete);
    const byUrn = new Map<string, ExportedResource>(resources.map((r) => [r.urn, r]));
    return resources.filter((r) => !r.external).map((r) => encodeAnalyzeRequest(r, byUrn));
}

function row(label: string, wall: number, checkCpu: number, packCpu: number | undefined): string {
    return `      ${label.padEnd(12)} ${f0(wall).padStart(6)} ms wall | check CPU ${f0(checkCpu).padStart(6)} ms | pack CPU ${f0(packCpu).padStart(6)} ms`;
}

function phases(label: string, r: Awaited<ReturnType<typeof phasedCheck>>): string {
    const t = r.result.timings;
    const n = r.result.resources;
    const all = PHASES.map((p) => t.phases[p]);
    const packCpu = all.every((x) => x.packCpu !== undefined) ? all.reduce((a, x) => a + (x.packCpu ?? 0), 0) : undefined;
    return [
        `  ${label}: ${r.ms.toFixed(0)} ms wall, ${(n / (r.ms / 1000)).toFixed(0)} resources/s (${load()})`,
        `    pack start ${t.packStart.toFixed(0)} ms wall; Analyze ${((t.phases.analyze.wall * 1000) / n).toFixed(0)} us/resource; render ${r.render.toFixed(0)} ms`,
        ...PHASES.map((p) => row(p, t.phases[p].wall, t.phases[p].checkCpu, t.phases[p].packCpu)),
        row("total", all.reduce((a, x) => a + x.wall, 0), all.reduce((a, x) => a + x.checkCpu, 0), packCpu),
    ].join("\n");
}

/** CPU time of a check: the check's process and, over gRPC, the pack's (undefined where the pack's cannot be read). */
function cpuOf(r: Awaited<ReturnType<typeof phasedCheck>>, transport: Transport): number | undefined {
    const all = PHASES.map((p) => r.result.timings.phases[p]);
    const check = all.reduce((a, x) => a + x.checkCpu, 0);
    if (transport === "in-process") return check;
    return all.every((x) => x.packCpu !== undefined) ? check + all.reduce((a, x) => a + (x.packCpu ?? 0), 0) : undefined;
}

async function main(): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-bench-"));
    try {
        const prod = (await planStack("prod")).export;
        const f5k = write(dir, generate(prod, 5000));
        const f20k = write(dir, generate(prod, 20000));
        const mb = (fs.statSync(f5k).size / 1024 / 1024).toFixed(1);
        // The first start of the pack's process after a change compiles it (ts-node caches the result), as under `pulumi preview`.
        const cold = performance.now();
        (await PackHost.start()).close();
        console.log(`check.bench: ${os.cpus().length} cores; first start of the pack's process (compile) ${(performance.now() - cold).toFixed(0)} ms (${load()})`);

        const cli: number[] = [];
        const reports = new Set<string>();
        for (let i = 0; i < ROUNDS; i++) {
            const run = cliCheck(f5k, "in-process");
            cli.push(run.ms);
            reports.add(run.report);
            console.log(`  whole check of 5,000 (${mb} MB export), fresh process, pack in-process, round ${i + 1}: ${run.ms.toFixed(0)} ms wall (${load()})`);
        }
        const npmRun = cliCheck(f5k, "in-process", true);
        const grpcRun = cliCheck(f5k, "grpc");
        reports.add(npmRun.report).add(grpcRun.report);
        if (reports.size !== 1) throw new Error("the checks of the same export printed different reports");
        const wholeMs = median(cli);
        console.log(`  the same through npm (npm run -s check): ${npmRun.ms.toFixed(0)} ms wall, npm's start included (${load()})`);
        console.log(`  whole check of 5,000, fresh process, pack over gRPC: ${grpcRun.ms.toFixed(0)} ms wall, ${(grpcRun.ms / wholeMs).toFixed(1)}x the in-process median (same report; ${load()})`);

        // Its pack start is the pack's first load in this process, whose imports (the program, the SDK) are loaded already.
        console.log(phases("in-process, 5,000, the pack's first load in this process", await phasedCheck(f5k, { transport: "in-process" })));
        const inProcess = await InProcessPack.start();
        await phasedCheck(f5k, { host: inProcess }); // Warm up.
        const direct5k = await phasedCheck(f5k, { host: inProcess });
        const direct20k = await phasedCheck(f20k, { host: inProcess });
        console.log(phases("in-process, 5,000, the pack loaded", direct5k));
        console.log(phases("in-process, 20,000, the pack loaded", direct20k));

        const host = await PackHost.start();
        let grpc5k: Awaited<ReturnType<typeof phasedCheck>>;
        try {
            await phasedCheck(f5k, { host }); // Warm the pack process up.
            grpc5k = await phasedCheck(f5k, { host });
        } finally {
            host.close();
        }
        console.log(phases("over gRPC, 5,000, the pack's process running", grpc5k));
        const [direct, overGrpc] = [cpuOf(direct5k, "in-process"), cpuOf(grpc5k, "grpc")];
        console.log(
            `  5,000, the pack ready: in-process ${f0(direct5k.ms)} ms wall, ${f0(direct)} ms CPU; over gRPC ${f0(grpc5k.ms)} ms wall (${(grpc5k.ms / direct5k.ms).toFixed(1)}x), ${f0(overGrpc)} ms CPU of both processes` +
                (direct && overGrpc ? ` (${(overGrpc / direct).toFixed(1)}x)` : ""),
        );

        // Linearity judged on CPU time: on a shared machine the wall time of two runs minutes apart measures the load as much as the check.
        const wallRatio = direct20k.ms / direct5k.ms;
        const [cpu5k, cpu20k] = [cpuOf(direct5k, "in-process"), cpuOf(direct20k, "in-process")];
        const cpuRatio = cpu5k === undefined || cpu20k === undefined ? undefined : cpu20k / cpu5k;
        const ratio = cpuRatio ?? wallRatio;
        console.log(`  in-process, 5,000 -> 20,000: CPU ${cpuRatio === undefined ? "unreadable" : `${cpuRatio.toFixed(2)}x`}, wall ${wallRatio.toFixed(2)}x`);
        console.log(`  findings: ${direct5k.result.findings.length} for 5,000, ${direct20k.result.findings.length} for 20,000`);
        const requests = analyzeRequestsOf(f5k);
        const floor = await transportFloor(requests);
        const analyze5k = grpc5k.result.timings.phases.analyze;
        console.log(
            `  transport floor: the same ${requests.length} Analyze requests to a server that answers nothing: ${f0(floor.wall)} ms wall | check CPU ${f0(floor.clientCpu)} ms | server CPU ${f0(floor.serverCpu)} ms` +
                ` (over gRPC the Analyze phase took ${f0(analyze5k.wall)} ms wall, ${(analyze5k.wall / floor.wall).toFixed(1)}x the floor; in-process ${f0(direct5k.result.timings.phases.analyze.wall)} ms; ${load()})`,
        );
        reportGoals("check.bench", [
            { name: `whole check of 5,000 resources, pack start included, median of ${ROUNDS} fresh runs ${wholeMs.toFixed(0)} ms <= ${WHOLE_GOAL_MS} ms wall`, met: wholeMs <= WHOLE_GOAL_MS },
            { name: `5,000 -> 20,000 resources ${ratio.toFixed(2)}x ${cpuRatio === undefined ? "wall" : "CPU"} <= ${LINEAR_GOAL}x (linear)`, met: ratio <= LINEAR_GOAL },
        ]);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

runBench(main);
