import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codeMask, shellMutants } from "./shell";
import { mutantKeys, reusable } from "./shellRun";

/** Each operator of the shell mutator on small scripts: what it changes, and what it leaves alone. */

/** The mutants of `source` as "operator line:column → replacement line". */
const changes = (source: string) => shellMutants(source).map((m) => `${m.operator} ${m.line}:${m.column} ${m.replacement}`);
const only = (source: string, operator: string) => changes(source).filter((c) => c.startsWith(`${operator} `));

describe("shell mutator: what is code", () => {
    it("leaves quoted text and comments out, but not the code of a $(...) in double quotes", () => {
        const source = `a "b $(c 'd') e" # f\ng`;
        const mask = codeMask(source);
        const code = [...source].filter((_, i) => mask[i]).join("");
        assert.equal(code, "a c  \ng", "a, the c of the command substitution, the spaces around the string, the line after the comment");
    });

    it("an escaped quote does not open a string", () => {
        const mask = codeMask(`echo \\"a && b`);
        assert.equal(mask[9], true, "the && after an escaped quote is code");
    });
});

describe("shell mutator: operators", () => {
    it("CommandDeleted: each command becomes `:`, with its continuations; block lines stay", () => {
        assert.deepEqual(only("a\nif x; then\n  b \\\n    c\nfi\nif y; then z; fi\n", "CommandDeleted"), ["CommandDeleted 1:1 :", "CommandDeleted 3:3   :", "CommandDeleted 6:1 :"]);
        const [continued] = shellMutants("  b \\\n    c\nd").filter((m) => m.operator === "CommandDeleted");
        assert.equal(continued!.source, "  :\n:\nd");
        assert.deepEqual(only("# comment\n\nf() {\n}\nfor x in 1; do\ndone\n", "CommandDeleted"), []);
    });

    it("LogicalOperator: && and || swap, not inside quotes", () => {
        assert.deepEqual(only(`a && b || c\necho "d && e"`, "LogicalOperator"), ["LogicalOperator 1:3 a || b || c", "LogicalOperator 1:8 a && b && c"]);
    });

    it("TestNegated: a test where a command starts, and a condition that is not a test", () => {
        assert.deepEqual(only(`if [ -z "$a" ] || [[ $b ]]; then :; fi`, "TestNegated"), [
            `TestNegated 1:4 if ! [ -z "$a" ] || [[ $b ]]; then :; fi`,
            `TestNegated 1:19 if [ -z "$a" ] || ! [[ $b ]]; then :; fi`,
        ]);
        assert.deepEqual(only("while grep -q x f; do :; done", "TestNegated"), ["TestNegated 1:7 while ! grep -q x f; do :; done"]);
        assert.deepEqual(only(`if ! [ -n x ]; then :; fi\necho "[ -n x ]"\na[0]=1`, "TestNegated"), []);
    });

    it("SetOption: each option dropped, `+` the flag when none is left", () => {
        assert.deepEqual(only("set -euo pipefail", "SetOption"), ["SetOption 1:5 set -uo pipefail", "SetOption 1:5 set -eo pipefail", "SetOption 1:5 set -eu"]);
        assert.deepEqual(only("set -e", "SetOption"), ["SetOption 1:5 set +e"]);
        assert.deepEqual(only("set -o pipefail", "SetOption"), ["SetOption 1:5 set +o pipefail"]);
        assert.deepEqual(only(`echo "set -e"`, "SetOption"), []);
    });

    it("CurlFail: -f out of a cluster, alone, or --fail", () => {
        assert.deepEqual(only("curl -fsS u\ncurl -f u | x\ncurl -X POST --fail u\ncurl -sS u", "CurlFail"), ["CurlFail 1:6 curl -sS u", "CurlFail 2:5 curl u | x", "CurlFail 3:13 curl -X POST u"]);
        assert.deepEqual(only(`x="$(curl -fsS u)"`, "CurlFail"), [`CurlFail 1:11 x="$(curl -sS u)"`]);
    });

    it("NumberChanged: unquoted integers to 0 (0 to 1), not descriptors, positions, names or quoted text", () => {
        assert.deepEqual(only("exit 1\nfor ((i = 0; i < 12; i++)); do :; done", "NumberChanged"), [
            "NumberChanged 1:6 exit 0",
            "NumberChanged 2:11 for ((i = 1; i < 12; i++)); do :; done",
            "NumberChanged 2:18 for ((i = 0; i < 0; i++)); do :; done",
        ]);
        assert.deepEqual(only(`a 2>&1 > /dev/null\nb "$1" peer-0 x1 \${#a[@]} "3"\nc $1 >&2`, "NumberChanged"), []);
    });

    it("keeps every other line as it was", () => {
        for (const m of shellMutants("set -eu\na && b\nexit 3\n")) {
            const before = "set -eu\na && b\nexit 3\n".split("\n");
            const after = m.source.split("\n");
            assert.equal(after.length, before.length);
            assert.deepEqual(after.filter((_, i) => i !== m.line - 1), before.filter((_, i) => i !== m.line - 1), `${m.operator} ${m.line}`);
        }
    });
});

describe("shell mutator: incremental results", () => {
    it("keys a mutant by its change and its place among identical ones, not by its line number", () => {
        const keys = mutantKeys(shellMutants("x\nexit 1\nexit 1\n"));
        const moved = mutantKeys(shellMutants("# a new first line\nx\nexit 1\nexit 1\n"));
        assert.deepEqual(moved, keys);
        assert.equal(new Set(keys).size, keys.length, "two identical lines give two keys");
    });

    it("reuses results only while the test files are unchanged, and never on a full run", () => {
        const previous = { tests: "h1", mutants: [{ key: "k", operator: "NumberChanged", line: 1, column: 1, replacement: "exit 0", status: "Killed" as const }] };
        assert.deepEqual([...reusable(previous, "h1", false)], [["k", "Killed"]]);
        assert.equal(reusable(previous, "h2", false).size, 0);
        assert.equal(reusable(previous, "h1", true).size, 0);
        assert.equal(reusable(undefined, "h1", false).size, 0);
    });
});
