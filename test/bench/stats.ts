/** Small statistics the benches print. */

/** The value at percentile `p` (0-100) of an ascending array. */
export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** The median, robust to one slow round on a shared machine. */
export const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

export const ms = (n: number): string => `${n.toFixed(3)} ms`;
