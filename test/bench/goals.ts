/** What every bench does at its end: report the goals it missed, and fail on any. */

/** A goal's check: the line to print when it is missed, or false when it is met. */
export type GoalCheck = string | false;

/** Prints the goals missed and exits 1 when there is any. */
export function exitOnMissedGoals(checks: GoalCheck[]): void {
    const missed = checks.filter((c): c is string => c !== false);
    if (missed.length > 0) {
        console.log(`goals missed: ${missed.join("; ")}`);
        process.exit(1);
    }
}

/** Runs a bench's main; an error ends it with one line and exit 1. */
export function runBench(main: () => Promise<void>): void {
    main().catch((error: unknown) => {
        console.error(error instanceof Error ? error.message : String(error));
        process.exit(1);
    });
}
