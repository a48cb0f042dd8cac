/**
 * Runs `fn` and returns its result with the text that code in `file` wrote to stdout and stderr,
 * told apart by the call stack of each write: the test runner's own report goes to stdout too
 * (while `fn` awaits), and is passed through.
 */
export async function captureOutput<T>(file: string, fn: () => T | Promise<T>): Promise<{ result: T; stdout: string; stderr: string }> {
    const streams = [process.stdout, process.stderr] as const;
    const real = streams.map((s) => s.write);
    const text = ["", ""];
    const calledFrom = () => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = Infinity; // the writer's frame may be deep under a library's calls
        const stack = new Error().stack ?? "";
        Error.stackTraceLimit = limit;
        return stack.includes(file);
    };
    streams.forEach((stream, i) => {
        stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
            if (typeof chunk !== "string" || !calledFrom()) return (real[i] as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
            text[i] += chunk;
            return true;
        }) as typeof stream.write;
    });
    try {
        const result = await fn();
        return { result, stdout: text[0]!, stderr: text[1]! };
    } finally {
        streams.forEach((stream, i) => (stream.write = real[i]!));
    }
}
