/**
 * Runs a shell area (areas.ts SHELL_AREAS): each mutant of its script (shell.ts) is written into
 * a sandbox copy of the repository and the area's test files run against it, one file after the
 * other, stopping at the first that fails. Results are kept in incremental/<area>.json and
 * reported as a Stryker report, so the area is scored and gated like the Stryker areas.
 *
 * Incremental: a mutant's result is reused while its test files are unchanged and the mutant is
 * the same (operator, line text before and after, and its place among identical ones); any change
 * to a test file re-tests every mutant, as does --full.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ShellMutationArea } from "./areas";
import type { StrykerMutant, StrykerReport } from "./score";
import { shellMutants, type ShellMutant } from "./shell";

type Outcome = "Killed" | "Survived" | "Timeout";

interface IncrementalEntry {
    key: string;
    operator: string;
    line: number;
    column: number;
    replacement: string;
    status: Outcome;
}

export interface ShellIncremental {
    /** Hash of the area's test files: when it changes, nothing is reused. */
    tests: string;
    mutants: IncrementalEntry[];
}

/** Identifies a mutant across edits elsewhere in the script: what changed, and which of identical changes it is. */
export function mutantKeys(mutants: ShellMutant[]): string[] {
    const seen = new Map<string, number>();
    return mutants.map((m) => {
        const base = `${m.operator}\u0000${m.original.trim()}\u0000${m.replacement.trim()}`;
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        return `${base}\u0000${n}`;
    });
}

function hashFiles(root: string, files: string[]): string {
    const hash = createHash("sha256");
    for (const f of [...files].sort()) hash.update(f).update("\u0000").update(fs.readFileSync(path.join(root, f))).update("\u0000");
    return hash.digest("hex");
}

/** The results to reuse, by key; empty when the test files changed or on a full run. */
export function reusable(previous: ShellIncremental | undefined, testsHash: string, full: boolean): Map<string, Outcome> {
    if (full || previous === undefined || previous.tests !== testsHash) return new Map();
    return new Map(previous.mutants.map((m) => [m.key, m.status]));
}

/** A copy of the repository's files (tracked and untracked, not ignored) with node_modules linked. */
function sandbox(root: string, name: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mutation-${name}-`));
    const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
    if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
    for (const file of listed.stdout.split("\u0000").filter(Boolean)) {
        const from = path.join(root, file);
        if (!fs.existsSync(from)) continue; // deleted but not staged
        fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
        fs.copyFileSync(from, path.join(dir, file));
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

/** Runs the test files in `cwd` one after the other; the first failure ends it. */
async function runTests(cwd: string, testFiles: string[], timeoutMs: number): Promise<{ outcome: Outcome; ms: number; output: string }> {
    const started = Date.now();
    for (const file of testFiles) {
        const left = timeoutMs - (Date.now() - started);
        const result = await new Promise<{ code: number | null; timedOut: boolean; output: string }>((resolve) => {
            // Its own process group, so that a timeout ends the scripts and servers the tests started too.
            const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=dot", file], { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
            let output = "";
            child.stdout.on("data", (d: Buffer) => (output += d.toString()));
            child.stderr.on("data", (d: Buffer) => (output += d.toString()));
            let timedOut = false;
            const timer = setTimeout(() => {
                timedOut = true;
                try {
                    process.kill(-child.pid!, "SIGKILL");
                } catch {
                    // already gone
                }
            }, Math.max(1, left));
            child.on("close", (code) => {
                clearTimeout(timer);
                resolve({ code, timedOut, output });
            });
        });
        if (result.timedOut) return { outcome: "Timeout", ms: Date.now() - started, output: result.output };
        if (result.code !== 0) return { outcome: "Killed", ms: Date.now() - started, output: result.output };
    }
    return { outcome: "Survived", ms: Date.now() - started, output: "" };
}

export interface ShellRunOptions {
    root: string;
    incrementalFile: string;
    full: boolean;
    concurrency?: number;
    log?: (line: string) => void;
}

/** Tests the area's mutants (those not reusable), writes the incremental file, returns the report. */
export async function runShellArea(area: ShellMutationArea, o: ShellRunOptions): Promise<StrykerReport> {
    const log = o.log ?? ((line: string) => console.log(line));
    const script = path.join(o.root, area.script);
    const mutants = shellMutants(fs.readFileSync(script, "utf8"));
    const keys = mutantKeys(mutants);
    const testsHash = hashFiles(o.root, area.testFiles);
    const previous = fs.existsSync(o.incrementalFile) ? (JSON.parse(fs.readFileSync(o.incrementalFile, "utf8")) as ShellIncremental) : undefined;
    const known = reusable(previous, testsHash, o.full);
    const status = new Map<number, Outcome>();
    mutants.forEach((_, i) => {
        const s = known.get(keys[i]!);
        if (s !== undefined) status.set(i, s);
    });
    const pending = mutants.map((_, i) => i).filter((i) => !status.has(i));
    log(`mutation: ${area.name}: ${mutants.length} mutants, ${mutants.length - pending.length} reused, ${pending.length} to test`);

    if (pending.length > 0) {
        const workers = Math.max(1, Math.min(o.concurrency ?? 2, pending.length));
        const boxes = Array.from({ length: workers }, () => sandbox(o.root, area.name));
        try {
            // The unchanged script must pass, as Stryker's dry run; its time sets the timeout.
            const dry = await runTests(boxes[0]!, area.testFiles, 10 * 60_000);
            if (dry.outcome !== "Survived") throw new Error(`${area.name}: the tests fail on the unchanged script:\n${dry.output.slice(-2000)}`);
            const timeoutMs = Math.round(dry.ms * 1.5) + (area.timeoutMS ?? 20_000);
            log(`mutation: ${area.name}: tests pass on the unchanged script in ${(dry.ms / 1000).toFixed(1)} s; timeout per mutant ${(timeoutMs / 1000).toFixed(0)} s`);
            let done = 0;
            const queue = [...pending];
            await Promise.all(
                boxes.map(async (box) => {
                    const target = path.join(box, area.script);
                    for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
                        const m = mutants[i]!;
                        fs.writeFileSync(target, m.source);
                        const { outcome } = await runTests(box, area.testFiles, timeoutMs);
                        status.set(i, outcome);
                        done++;
                        log(`mutation: ${area.name}: ${done}/${pending.length} ${outcome.toLowerCase()} ${area.script}:${m.line}:${m.column} ${m.operator} ${JSON.stringify(m.replacement.trim())}`);
                    }
                }),
            );
        } finally {
            for (const box of boxes) fs.rmSync(box, { recursive: true, force: true });
        }
    }

    const entries: IncrementalEntry[] = mutants.map((m, i) => ({ key: keys[i]!, operator: m.operator, line: m.line, column: m.column, replacement: m.replacement.trim(), status: status.get(i)! }));
    fs.writeFileSync(o.incrementalFile, `${JSON.stringify({ tests: testsHash, mutants: entries } satisfies ShellIncremental, null, 2)}\n`);
    const reported: StrykerMutant[] = entries.map((e) => ({ status: e.status, mutatorName: e.operator, replacement: e.replacement, location: { start: { line: e.line, column: e.column } } }));
    return { files: { [area.script]: { mutants: reported } } };
}
