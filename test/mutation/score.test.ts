import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { judge, scoreOf, survivorsOf, type StrykerReport } from "./score";

const report = (statuses: string[]): StrykerReport => ({ files: { "a.ts": { mutants: statuses.map((status) => ({ status })) } } } as StrykerReport);

describe("mutation score", () => {
    test("detected (killed + timeout) over detected + survived + no coverage; the rest is not scored", () => {
        const s = scoreOf("x", report(["Killed", "Killed", "Killed", "Timeout", "Survived", "NoCoverage", "Ignored", "CompileError", "RuntimeError"]), 12.4);
        assert.deepEqual(s, { area: "x", mutants: 9, killed: 3, timeout: 1, survived: 1, noCoverage: 1, notScored: 3, score: (100 * 4) / 6, floor: 66.6, seconds: 12.4 });
    });

    test("nothing scored is 100 %", () => {
        assert.equal(scoreOf("x", report(["Ignored"]), 1).score, 100);
    });

    test("an area below its threshold, or without one, fails the gate; at the threshold passes", () => {
        const at = scoreOf("a", report(["Killed", "Killed", "Killed", "Survived"]), 1); // 75 %
        assert.equal(judge([at], { a: 75 }).exitCode, 0);
        assert.equal(judge([at], { a: 75.1 }).exitCode, 1);
        assert.equal(judge([at], {}).exitCode, 1);
        assert.deepEqual(judge([at], { a: 80 }).lines.slice(2), ["a | 4 | 3 | 0 | 1 | 0 | 0 | 75.0 % | 80.0 % BELOW | 1 s", "mutation: 1 area(s) below their threshold"]);
    });

    test("undetected mutants are listed by file and position, with mutator and replacement", () => {
        const at = (line: number, column: number) => ({ start: { line, column } });
        const r = {
            files: {
                "b.ts": { mutants: [{ status: "Survived", mutatorName: "ConditionalExpression", replacement: "false", location: at(3, 7) }] },
                "a.ts": {
                    mutants: [
                        { status: "Killed", mutatorName: "BooleanLiteral", replacement: "true", location: at(1, 1) },
                        { status: "NoCoverage", mutatorName: "StringLiteral", replacement: '""', location: at(9, 2) },
                        { status: "Survived", mutatorName: "EqualityOperator", replacement: "a <=\n  b", location: at(4, 10) },
                    ],
                },
            },
        } as StrykerReport;
        assert.deepEqual(survivorsOf(r), [
            'a.ts:4:10 EqualityOperator "a <= b"',
            'a.ts:9:2 StringLiteral "\\"\\"" (no coverage)',
            'b.ts:3:7 ConditionalExpression "false"',
        ]);
    });
});
