/**
 * Wall time of `npm run plan -- --stack prod` in a fresh process, side by side with the bare
 * time of loading the Pulumi SDKs the program uses (the floor any plan pays), as a ratio.
 * Target: the prod plan under 5 s wall on a 2-core machine.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { reportGoals } from "./goals";

const ROOT = path.join(__dirname, "..", "..");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET_SECONDS = 5;

function wall(args: string[]): { seconds: number; stdout: string } {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return { seconds, stdout: r.stdout };
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
}

const loadSdks = ["-e", 'for (const m of ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/gcp", "@pulumi/kubernetes"]) require(m);'];
const planProd = [path.join("infra", "plan", "cli.ts"), "--stack", "prod"];

const sdk: number[] = [];
const plan: number[] = [];
const inProcess: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
    // Interleaved so that machine noise hits both alike.
    sdk.push(wall(loadSdks).seconds);
    const run = wall(planProd);
    plan.push(run.seconds);
    const ms = /Planned in (\d+) ms/.exec(run.stdout)?.[1];
    if (ms) inProcess.push(Number(ms) / 1000);
}
const resources = /Stack prod: (\d+) resources/.exec(wall(planProd).stdout)?.[1];
const sdkMedian = median(sdk);
const planMedian = median(plan);
console.log(`plan bench (${ROUNDS} interleaved rounds, medians)`);
console.log(`  load the Pulumi SDKs (pulumi, aws, gcp, kubernetes): ${sdkMedian.toFixed(2)} s`);
console.log(`  npm run plan -- --stack prod (${resources} resources):  ${planMedian.toFixed(2)} s wall, ${median(inProcess).toFixed(2)} s of it running the program`);
console.log(`  ratio plan / SDK load: ${(planMedian / sdkMedian).toFixed(2)}x`);
reportGoals("plan.bench", [{ name: `npm run plan -- --stack prod wall time < ${TARGET_SECONDS} s (median ${planMedian.toFixed(2)} s)`, met: planMedian < TARGET_SECONDS }]);
