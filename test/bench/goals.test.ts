import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { judgeGoals } from "./goals";

describe("bench goals", () => {
    test("all goals met: exit 0", () => {
        assert.deepEqual(judgeGoals("x.bench", [{ name: "a < 1 s", met: true }, { name: "b <= 2x", met: true }]), {
            lines: ["  goal met: a < 1 s", "  goal met: b <= 2x", "x.bench: all 2 goals met"],
            exitCode: 0,
        });
    });

    test("one goal missed: exit 1, and the miss is named", () => {
        assert.deepEqual(judgeGoals("x.bench", [{ name: "a < 1 s", met: true }, { name: "b <= 2x", met: false }]), {
            lines: ["  goal met: a < 1 s", "  goal MISSED: b <= 2x", "x.bench: 1 of 2 goals missed"],
            exitCode: 1,
        });
    });

    test("a bench process that misses a printed goal exits 1", () => {
        const script = `require(${JSON.stringify(path.join(__dirname, "goals.ts"))}).reportGoals("t.bench", [{ name: "never", met: false }]);`;
        const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8" });
        assert.equal(run.status, 1, run.stderr);
        assert.match(run.stdout, /goal MISSED: never/);
    });

    test("every bench that prints a goal reports it through reportGoals, and no bench loops without a bound", () => {
        for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith(".bench.ts"))) {
            const source = fs.readFileSync(path.join(__dirname, file), "utf8");
            assert.doesNotMatch(source, /for\s*\(\s*;\s*;\s*\)|while\s*\(\s*true\s*\)/, `${file}: an unbounded loop`);
            if (/\bgoal|target|budget/i.test(source) && /\bmet\b|MISSED|OVER BUDGET/.test(source)) {
                assert.match(source, /reportGoals\(|process\.exit\(1\)/, `${file}: prints a goal but never exits non-zero on a miss`);
            }
        }
    });
});
