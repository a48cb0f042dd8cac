/**
 * Bench of `npm run check --state`: a generated stack export of 5,000 resources (copies of the
 * planned prod stack, each with its own providers and ids), checked through the pack process.
 * Prints resources per second, the ratio of check time to merely parsing the file, and how the
 * time grows from 2,500 to 5,000 resources (linear: at most 2.2x).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { planStack, type ExportedResource, type StackExport } from "../../infra/plan";
import { PackHost } from "../../policies/check/host";
import { readStateFile } from "../../policies/check/input";
import { runCheck } from "../../policies/check/run";
import { STACK_TYPE } from "../../policies/lib/stack";
import { reportGoals } from "./goals";

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

function write(state: StackExport): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "check-bench-")), `stack-${state.deployment.resources.length}.json`);
    fs.writeFileSync(file, JSON.stringify(state));
    return file;
}

async function time<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
    const start = performance.now();
    const value = await fn();
    return { ms: performance.now() - start, value };
}

async function main(): Promise<void> {
    const prod = (await planStack("prod")).export;
    const big = write(generate(prod, 5000));
    const half = write(generate(prod, 2500));
    const mb = (fs.statSync(big).size / 1024 / 1024).toFixed(1);

    const parse = await time(() => JSON.parse(fs.readFileSync(big, "utf8")) as unknown);
    // The first start of the pack after a change compiles and type-checks it (ts-node caches the
    // result), as under `pulumi preview`; the whole check is then timed as a user runs it again:
    // read and validate the file, start the pack, analyze, stop.
    const cold = await time(async () => (await PackHost.start()).close());
    const whole = await time(async () => runCheck(readStateFile(big)));

    const host = await PackHost.start();
    try {
        await runCheck(readStateFile(half), { host }); // Warm up the pack process.
        const t2500 = await time(() => runCheck(readStateFile(half), { host }));
        const t5000 = await time(() => runCheck(readStateFile(big), { host }));
        const n = whole.value.resources;
        const lines = [
            `check.bench: ${n} resources (${mb} MB stack export), ${whole.value.findings.length} findings`,
            `  parse only (JSON.parse):        ${parse.ms.toFixed(0)} ms`,
            `  first pack start (compile):     ${cold.ms.toFixed(0)} ms`,
            `  whole check (pack start incl.): ${whole.ms.toFixed(0)} ms  -> ${(n / (whole.ms / 1000)).toFixed(0)} resources/s  (target < 10000 ms: ${whole.ms < 10000 ? "met" : "MISSED"})`,
            `  check, pack running:            ${t5000.ms.toFixed(0)} ms  -> ${(n / (t5000.ms / 1000)).toFixed(0)} resources/s`,
            `  check / parse ratio:            ${(t5000.ms / parse.ms).toFixed(1)}x (whole check: ${(whole.ms / parse.ms).toFixed(1)}x)`,
            `  2500 -> 5000 resources:         ${t2500.ms.toFixed(0)} ms -> ${t5000.ms.toFixed(0)} ms = ${(t5000.ms / t2500.ms).toFixed(2)}x (linear target <= 2.2x: ${t5000.ms / t2500.ms <= 2.2 ? "met" : "MISSED"})`,
        ];
        process.stdout.write(`${lines.join("\n")}\n`);
        reportGoals("check.bench", [
            { name: `whole check of ${n} resources < 10000 ms (${whole.ms.toFixed(0)} ms)`, met: whole.ms < 10000 },
            { name: `2500 -> 5000 resources <= 2.2x (${(t5000.ms / t2500.ms).toFixed(2)}x)`, met: t5000.ms / t2500.ms <= 2.2 },
        ]);
    } finally {
        host.close();
        fs.rmSync(path.dirname(big), { recursive: true, force: true });
        fs.rmSync(path.dirname(half), { recursive: true, force: true });
    }
}

void main().then(
    () => process.exit(process.exitCode ?? 0),
    (e: unknown) => {
        process.stderr.write(`check.bench: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
    },
);
