/**
 * `npm run mutation`: Stryker per area (test/mutation/areas.ts), incremental, with the mutation
 * score of each area checked against the level it had reached (thresholds.json).
 *
 *   npm run mutation                       every area with a threshold, incrementally; exit 1 if one falls below it
 *   npm run mutation -- policy-rules       only the named areas
 *   npm run mutation -- --rebaseline       also rewrite thresholds.json with today's scores (after a merge)
 *   npm run mutation -- --full             test every mutant again (and rewrite the incremental files)
 *
 * Shell areas (SHELL_AREAS: bash scripts, which Stryker cannot mutate) run through our own
 * mutator (shellRun.ts) and are scored and gated the same way.
 *
 * Incremental: each area's previous results live in incremental/<area>.json (committed), so a
 * run re-tests only mutants in changed code or covered by changed tests. Exit codes: 0 every
 * area at or above its threshold, 1 one below, 2 bad arguments or Stryker failed.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { AREAS, SHELL_AREAS, type MutationArea } from "./areas";
import { scoreOf, judge, survivorsOf, type AreaScore, type StrykerReport, type Thresholds } from "./score";
import { runShellArea } from "./shellRun";

const ROOT = path.resolve(__dirname, "..", "..");
const HERE = path.relative(ROOT, __dirname);
const THRESHOLDS = path.join(__dirname, "thresholds.json");
const STRYKER = path.join(ROOT, "node_modules", "@stryker-mutator", "core", "bin", "stryker.js");

/** The test runner's part of the configuration (areas.ts, `runner`). */
function runnerConfig(area: MutationArea): Record<string, unknown> {
    if (area.runner === "mocha") {
        return {
            testRunner: "mocha",
            // Only these files, TypeScript loaded by tsx's require hook; no .mocharc or package.json settings.
            mochaOptions: { spec: area.testFiles, extension: ["ts"], require: ["tsx/cjs"], "no-config": true, "no-package": true, "no-opts": true },
        };
    }
    return {
        testRunner: "tap",
        tap: {
            testFiles: area.testFiles,
            nodeArgs: ["--import", "tsx", "--test-reporter=tap"],
            forceBail: true,
        },
    };
}

function strykerConfig(area: MutationArea, reportFile: string, full: boolean): Record<string, unknown> {
    return {
        $schema: "../../node_modules/@stryker-mutator/core/schema/stryker-schema.json",
        packageManager: "npm",
        ...runnerConfig(area),
        mutate: area.mutate,
        // Per test (a whole file to the tap runner, one `it` to mocha): each mutant runs only the tests that executed it.
        coverageAnalysis: "perTest",
        // Mutants that run only while a module loads would need every test file each; left out.
        ignoreStatic: true,
        // Always incremental, so a full run (force) rewrites the incremental file: Stryker writes it only in incremental mode.
        incremental: true,
        force: full,
        incrementalFile: path.join(HERE, "incremental", `${area.name}.json`),
        // Two cores: two test processes at once.
        concurrency: 2,
        timeoutMS: area.timeoutMS ?? 20_000,
        reporters: ["json", "progress-append-only"],
        jsonReporter: { fileName: reportFile },
        // One per area: two areas may run at once, and each deletes its own when done.
        tempDirName: `.stryker-tmp/${area.name}`,
        cleanTempDir: "always",
        ignorePatterns: ["/.stryker-tmp", "/reports", "/.check", "/out", "/data", "/app/data", "/.audit", "/docs"],
        logLevel: "warn",
    };
}

function runArea(area: MutationArea, full: boolean): AreaScore {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mutation-${area.name}-`));
    const reportFile = path.join(dir, "mutation.json");
    const configFile = path.join(dir, "stryker.config.json");
    fs.writeFileSync(configFile, JSON.stringify(strykerConfig(area, reportFile, full), null, 2));
    const started = Date.now();
    const run = spawnSync(process.execPath, [STRYKER, "run", configFile], { cwd: ROOT, stdio: "inherit" });
    const seconds = (Date.now() - started) / 1000;
    if (run.status !== 0 || !fs.existsSync(reportFile)) {
        throw new Error(`Stryker failed on area ${area.name} (exit ${run.status})`);
    }
    const report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as StrykerReport;
    fs.rmSync(dir, { recursive: true, force: true });
    return reportScore(area.name, report, seconds);
}

/** An area's score, with its undetected mutants printed (the next tests to write, or the equivalent ones to record). */
function reportScore(area: string, report: StrykerReport, seconds: number): AreaScore {
    const score = scoreOf(area, report, seconds);
    const survivors = survivorsOf(report);
    if (survivors.length > 0) console.log(`\nmutation: ${area}: ${survivors.length} undetected mutant(s)\n${survivors.map((l) => `  ${l}`).join("\n")}`);
    return score;
}

async function main(argv: string[]): Promise<number> {
    const flags = argv.filter((a) => a.startsWith("--"));
    const names = argv.filter((a) => !a.startsWith("--"));
    const unknownFlag = flags.find((f) => f !== "--rebaseline" && f !== "--full");
    if (unknownFlag) {
        console.error(`mutation: unknown option ${unknownFlag} (use --rebaseline, --full)`);
        return 2;
    }
    const allNames = [...AREAS, ...SHELL_AREAS].map((a) => a.name);
    const unknownArea = names.find((n) => !allNames.includes(n));
    if (unknownArea) {
        console.error(`mutation: unknown area ${unknownArea} (areas: ${allNames.join(", ")})`);
        return 2;
    }
    const thresholds = JSON.parse(fs.readFileSync(THRESHOLDS, "utf8")) as Thresholds;
    // By default only the baselined areas: a first run of a new area is a full run, started on purpose.
    const selected = (name: string) => (names.length > 0 ? names.includes(name) : thresholds[name] !== undefined);
    const areas = AREAS.filter((a) => selected(a.name));
    const shellAreas = SHELL_AREAS.filter((a) => selected(a.name));
    for (const name of names.length > 0 ? [] : allNames.filter((n) => thresholds[n] === undefined)) {
        console.log(`mutation: area ${name} has no threshold yet, skipped (npm run mutation -- ${name} --rebaseline records one)`);
    }
    const scores: AreaScore[] = [];
    for (const area of areas) {
        console.log(`\n=== mutation: ${area.name} (${area.covers})`);
        scores.push(runArea(area, flags.includes("--full")));
    }
    for (const area of shellAreas) {
        console.log(`\n=== mutation: ${area.name} (${area.covers})`);
        const started = Date.now();
        const report = await runShellArea(area, { root: ROOT, incrementalFile: path.join(__dirname, "incremental", `${area.name}.json`), full: flags.includes("--full") });
        scores.push(reportScore(area.name, report, (Date.now() - started) / 1000));
    }
    const verdict = judge(scores, thresholds);
    console.log(`\n${verdict.lines.join("\n")}`);
    if (flags.includes("--rebaseline")) {
        const next: Thresholds = { ...thresholds };
        for (const s of scores) next[s.area] = s.floor;
        fs.writeFileSync(THRESHOLDS, `${JSON.stringify(next, null, 4)}\n`);
        console.log(`mutation: thresholds rewritten in ${path.relative(ROOT, THRESHOLDS)}; commit it with incremental/`);
        return 0;
    }
    return verdict.exitCode;
}

main(process.argv.slice(2)).then(
    (code) => {
        process.exitCode = code;
    },
    (e: unknown) => {
        console.error(`mutation: ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 2;
    },
);
