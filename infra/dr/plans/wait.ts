/** Polls `check` until it returns a value, reporting progress; throws with `what` on timeout. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, o: { timeoutMs: number; pollMs: number; progress?: (line: string) => void }): Promise<T> {
    const started = Date.now();
    let lastNote = started;
    let lastError = "";
    for (;;) {
        try {
            const value = await check();
            if (value !== undefined) return value;
        } catch (error) {
            lastError = error instanceof Error ? error.message : String(error);
        }
        const elapsed = Date.now() - started;
        if (elapsed > o.timeoutMs) throw new Error(`${what}: not after ${Math.round(elapsed / 1000)} s${lastError ? ` (${lastError})` : ""}`);
        if (o.progress && Date.now() - lastNote >= 5_000) {
            o.progress(`waiting for ${what} (${Math.round(elapsed / 1000)} s)`);
            lastNote = Date.now();
        }
        await new Promise((r) => setTimeout(r, o.pollMs));
    }
}
