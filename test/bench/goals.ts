/**
 * The goals a bench prints, and its exit status: a bench that prints a goal and misses it
 * exits 1, so `npm run bench` (and whoever runs it in CI) sees the miss instead of reading it.
 */
export interface Goal {
    /** What is measured against what, e.g. "plan wall time < 20 s". */
    name: string;
    met: boolean;
}

/** The summary lines and the exit code for a bench's goals. */
export function judgeGoals(bench: string, goals: Goal[]): { lines: string[]; exitCode: 0 | 1 } {
    const missed = goals.filter((g) => !g.met);
    const lines = goals.map((g) => `  goal ${g.met ? "met" : "MISSED"}: ${g.name}`);
    lines.push(missed.length === 0 ? `${bench}: all ${goals.length} goals met` : `${bench}: ${missed.length} of ${goals.length} goals missed`);
    return { lines, exitCode: missed.length === 0 ? 0 : 1 };
}

/** Prints the goals and sets the process's exit code (never lowers one set by a failure). */
export function reportGoals(bench: string, goals: Goal[]): void {
    const { lines, exitCode } = judgeGoals(bench, goals);
    console.log(lines.join("\n"));
    if (exitCode !== 0) process.exitCode = exitCode;
}

/** Runs a bench's main: exits with the status its goals set, and an error ends it with one line and exit 1. */
export function runBench(main: () => Promise<void>): void {
    main().then(
        () => process.exit(process.exitCode ?? 0),
        (error: unknown) => {
            console.error(error instanceof Error ? error.message : String(error));
            process.exit(1);
        },
    );
}
