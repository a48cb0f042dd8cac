import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";

/** What to run when promtool is missing; the same line the tests fail with. */
export const PROMTOOL_MISSING = "promtool not found (set PROMTOOL or put it on PATH): run `npm run promtool:install`";

/** promtool from $PROMTOOL, PATH, or where `go install` puts it; throws one clear line if none. */
export function promtoolPath(): string {
    const candidates = [
        process.env["PROMTOOL"],
        ...(process.env["PATH"] ?? "").split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, "promtool")),
        path.join(process.env["GOBIN"] ?? path.join(process.env["GOPATH"] ?? path.join(os.homedir(), "go"), "bin"), "promtool"),
    ];
    const found = candidates.find((c): c is string => c !== undefined && c !== "" && isExecutable(c));
    if (found === undefined) throw new Error(PROMTOOL_MISSING);
    return found;
}

function isExecutable(file: string): boolean {
    try {
        fs.accessSync(file, fs.constants.X_OK);
        return fs.statSync(file).isFile();
    } catch {
        return false;
    }
}

export interface PromtoolResult {
    ok: boolean;
    output: string;
}

/** Runs promtool on files written to a fresh temporary directory, which is removed afterwards. */
export function promtool(args: (dir: string) => string[], files: Record<string, string>): PromtoolResult {
    const bin = promtoolPath();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "promtool-"));
    try {
        for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
        const r = spawnSync(bin, args(dir), { cwd: dir, encoding: "utf8", timeout: 120_000 });
        return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}` };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export function checkRules(ruleFile: string): PromtoolResult {
    return promtool((dir) => ["check", "rules", path.join(dir, "rules.yaml")], { "rules.yaml": ruleFile });
}

export function checkConfig(configFile: string): PromtoolResult {
    return promtool((dir) => ["check", "config", "--syntax-only", path.join(dir, "prometheus.yaml")], { "prometheus.yaml": configFile });
}

export interface InputSeries {
    series: string;
    values: string;
}

export interface ExpectedAlert {
    exp_labels: Record<string, string>;
    exp_annotations: Record<string, string>;
}

export interface RuleTestCase {
    interval: string;
    input_series: InputSeries[];
    alert_rule_test: { eval_time: string; alertname: string; exp_alerts: ExpectedAlert[] }[];
}

/** `promtool test rules` on one test file against `ruleFile`. */
export function testRules(ruleFile: string, evaluationInterval: string, tests: RuleTestCase[]): PromtoolResult {
    const testFile = stringify({ rule_files: ["rules.yaml"], evaluation_interval: evaluationInterval, tests }, { lineWidth: 0 });
    return promtool((dir) => ["test", "rules", path.join(dir, "tests.yaml")], { "rules.yaml": ruleFile, "tests.yaml": testFile });
}

/**
 * A counter series for phases of steady traffic: `perStep` increments at each step (one sample per step) for
 * `minutes` steps, in promtool's expanding notation.
 */
export function counter(phases: { minutes: number; perStep: number }[]): string {
    let value = 0;
    const parts: string[] = [];
    phases.forEach((p, i) => {
        // The first phase starts at 0; later ones continue from where the previous ended.
        const start = i === 0 ? value : value + p.perStep;
        const steps = i === 0 ? p.minutes : p.minutes - 1;
        if (steps < 0) return;
        parts.push(`${start}+${p.perStep}x${steps}`);
        value = start + p.perStep * steps;
    });
    return parts.join(" ");
}

/**
 * The first evaluation time, in whole steps from 0 to `maxSteps`, at which `alert` fires with
 * `expected`, found by bisection (the scenarios are sustained, so once firing it stays firing);
 * undefined when it never fires within `maxSteps`.
 */
export function firstFiring(
    ruleFile: string,
    evaluationInterval: string,
    scenario: Omit<RuleTestCase, "alert_rule_test">,
    alert: string,
    expected: ExpectedAlert[],
    range: { fromStep: number; maxSteps: number; stepMinutes: number },
): number | undefined {
    const firesAt = (step: number) => testRules(ruleFile, evaluationInterval, [{
        ...scenario,
        alert_rule_test: [{ eval_time: `${step * range.stepMinutes}m`, alertname: alert, exp_alerts: expected }],
    }]).ok;
    if (!firesAt(range.maxSteps)) return undefined;
    let lo = range.fromStep;
    let hi = range.maxSteps;
    if (firesAt(lo)) return lo;
    while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (firesAt(mid)) hi = mid;
        else lo = mid;
    }
    return hi;
}
