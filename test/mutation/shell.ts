/**
 * Mutants of a bash script, for the areas Stryker cannot mutate. Small and scoped on purpose:
 * the operators below, on the script's code (not inside quoted strings or comments, except the
 * code of a `$(...)` within double quotes); heredocs and `case` patterns are not understood.
 *
 *   CommandDeleted   a command line (with its `\` continuations) becomes `:`
 *   LogicalOperator  `&&` <-> `||`
 *   TestNegated      `[ ]` / `[[ ]]` at a command's start, or an `if`/`elif`/`while` condition, gets `!`
 *   SetOption        one of `set -euo pipefail`'s options dropped (`set +e` when it was the only one)
 *   CurlFail         curl's `-f` / `--fail` dropped
 *   NumberChanged    an unquoted integer N becomes 0 (1 when N is 0)
 */

export type ShellOperator = "CommandDeleted" | "LogicalOperator" | "TestNegated" | "SetOption" | "CurlFail" | "NumberChanged";

export interface ShellMutant {
    operator: ShellOperator;
    /** 1-based line and column where the change starts. */
    line: number;
    column: number;
    /** The changed line(s) before and after. */
    original: string;
    replacement: string;
    /** The whole script with this mutant applied. */
    source: string;
}

/**
 * Which characters of `source` are code: false inside single or double quotes (but true again in
 * a `$(...)` within double quotes), inside comments, and for a backslash-escaped character.
 */
export function codeMask(source: string): boolean[] {
    const mask = new Array<boolean>(source.length).fill(false);
    // Each entry: what we are in; "paren" counts nested parentheses of a $( ).
    const stack: Array<{ kind: "code" | "dq" | "paren"; depth: number }> = [{ kind: "code", depth: 0 }];
    let i = 0;
    while (i < source.length) {
        const top = stack[stack.length - 1]!;
        const c = source[i]!;
        if (top.kind === "dq") {
            if (c === "\\") i += 2;
            else if (c === '"') {
                stack.pop();
                i++;
            } else if (c === "$" && source[i + 1] === "(" && source[i + 2] !== "(") {
                stack.push({ kind: "paren", depth: 0 });
                i += 2;
            } else i++;
            continue;
        }
        // Code (top level or within $( )).
        if (c === "\\") {
            i += 2;
            continue;
        }
        if (c === "'") {
            const end = source.indexOf("'", i + 1);
            i = end < 0 ? source.length : end + 1;
            continue;
        }
        if (c === '"') {
            stack.push({ kind: "dq", depth: 0 });
            i++;
            continue;
        }
        if (c === "#" && (i === 0 || /[\s;&|(]/.test(source[i - 1]!))) {
            const end = source.indexOf("\n", i);
            i = end < 0 ? source.length : end;
            continue;
        }
        if (top.kind === "paren") {
            if (c === "(") top.depth++;
            else if (c === ")") {
                if (top.depth === 0) {
                    stack.pop();
                    i++;
                    continue;
                }
                top.depth--;
            }
        } else if (c === "$" && source[i + 1] === "(" && source[i + 2] !== "(") {
            stack.push({ kind: "paren", depth: 0 });
            mask[i] = true;
            mask[i + 1] = true;
            i += 2;
            continue;
        }
        mask[i] = true;
        i++;
    }
    return mask;
}

interface LogicalLine {
    /** 0-based index of its first physical line. */
    first: number;
    /** Physical lines it spans (more than one with `\` continuations). */
    count: number;
}

/** Lines that only open or close a block: deleting them breaks the syntax, which any test catches. */
const STRUCTURE = /^(\}|fi|done|esac|then|else|do|;;|[A-Za-z_][\w-]*\s*\(\)\s*\{|(if|elif|while|until|for|case)\b.*)$/;

function logicalLines(lines: string[]): LogicalLine[] {
    const out: LogicalLine[] = [];
    for (let i = 0; i < lines.length; i++) {
        let count = 1;
        while (/\\$/.test(lines[i + count - 1]!) && i + count < lines.length) count++;
        out.push({ first: i, count });
        i += count - 1;
    }
    return out;
}

/** Offsets where each physical line starts. */
function lineStarts(source: string): number[] {
    const starts = [0];
    for (let i = 0; i < source.length; i++) if (source[i] === "\n") starts.push(i + 1);
    return starts;
}

export function shellMutants(source: string): ShellMutant[] {
    const mask = codeMask(source);
    const starts = lineStarts(source);
    const lines = source.split("\n");
    const mutants: ShellMutant[] = [];
    const position = (offset: number) => {
        let line = 0;
        while (line + 1 < starts.length && starts[line + 1]! <= offset) line++;
        return { line: line + 1, column: offset - starts[line]! + 1 };
    };
    /** A mutant replacing `length` characters at `offset` with `text`. */
    const at = (operator: ShellOperator, offset: number, length: number, text: string) => {
        const { line, column } = position(offset);
        const mutated = source.slice(0, offset) + text + source.slice(offset + length);
        mutants.push({ operator, line, column, original: lines[line - 1]!, replacement: mutated.split("\n")[line - 1]!, source: mutated });
    };
    const isCode = (offset: number, length: number) => mask.slice(offset, offset + length).every(Boolean);

    // Commands deleted: each logical line that is a command, not a block's opening or closing.
    for (const { first, count } of logicalLines(lines)) {
        const text = lines[first]!.trim();
        // A block opened and closed on one line (`if ...; then ...; fi`) is one command.
        const oneLine = /;\s*(fi|done|esac)$/.test(text);
        if (text === "" || text.startsWith("#") || (STRUCTURE.test(text) && !oneLine)) continue;
        const indent = /^\s*/.exec(lines[first]!)![0];
        const replaced = lines.map((l, i) => (i >= first && i < first + count ? `${i === first ? indent : ""}:` : l));
        mutants.push({ operator: "CommandDeleted", line: first + 1, column: indent.length + 1, original: lines[first]!, replacement: `${indent}:`, source: replaced.join("\n") });
    }

    for (const m of source.matchAll(/&&|\|\|/g)) {
        if (isCode(m.index, 2)) at("LogicalOperator", m.index, 2, m[0] === "&&" ? "||" : "&&");
    }

    // Tests negated: a [ ] / [[ ]] where a command starts, or a condition that is not one.
    for (const m of source.matchAll(/(^|[;&|!(]\s*|\b(?:if|elif|while|until)\s+)(\[\[?\s)/gm)) {
        const offset = m.index + m[1]!.length;
        if (isCode(offset, m[2]!.length) && !/!\s*$/.test(m[1]!)) at("TestNegated", offset, 0, "! ");
    }
    for (const m of source.matchAll(/\b(if|elif|while|until)\s+(?![[!])/g)) {
        const offset = m.index + m[0].length;
        if (isCode(m.index, m[1]!.length)) at("TestNegated", offset, 0, "! ");
    }

    // set options: each flag of `set -xyz` dropped, `o` with the option name it takes; a word
    // left empty becomes `+` the flag (plain `set` would list every variable).
    for (const m of source.matchAll(/^(\s*set\s+)(.*)$/gm)) {
        const base = m.index + m[1]!.length;
        if (!isCode(base - 1, 1)) continue;
        const words = [...m[2]!.matchAll(/\S+/g)];
        for (let w = 0; w < words.length; w++) {
            const word = words[w]!;
            if (!/^-[a-zA-Z]+$/.test(word[0])) continue;
            const flags = word[0].slice(1);
            for (let f = 0; f < flags.length; f++) {
                const flag = flags[f]!;
                const rest = flags.slice(0, f) + flags.slice(f + 1);
                const takesName = flag === "o" && words[w + 1] !== undefined;
                const end = takesName ? base + words[w + 1]!.index + words[w + 1]![0].length : base + word.index + word[0].length;
                const dropped = takesName ? `+o ${words[w + 1]![0]}` : `+${flag}`;
                const kept = rest === "" ? dropped : `-${rest}`;
                at("SetOption", base + word.index, end - (base + word.index), kept);
            }
        }
    }

    // curl's fail-on-HTTP-error flag.
    for (const m of source.matchAll(/\bcurl\b[^\n|;)]*/g)) {
        if (!isCode(m.index, 4)) continue;
        for (const flag of m[0].matchAll(/\s(-[a-zA-Z]*f[a-zA-Z]*|--fail(?:-with-body)?)(?=\s|$)/g)) {
            const offset = m.index + flag.index + 1;
            const word = flag[1]!;
            if (word.startsWith("--")) at("CurlFail", offset - 1, word.length + 1, "");
            else {
                const rest = word.slice(1).replace("f", "");
                at("CurlFail", offset - (rest === "" ? 1 : 0), word.length + (rest === "" ? 1 : 0), rest === "" ? "" : `-${rest}`);
            }
        }
    }

    // Numbers: whole unquoted integers, not file descriptors of a redirection nor part of a word.
    for (const m of source.matchAll(/(?<![\w$#.-])\d+(?![\w.]|[<>])/g)) {
        if (!isCode(m.index, m[0].length)) continue;
        if (/[<>&]$/.test(source.slice(0, m.index))) continue;
        at("NumberChanged", m.index, m[0].length, Number(m[0]) === 0 ? "1" : "0");
    }

    return mutants.sort((a, b) => a.line - b.line || a.column - b.column);
}
