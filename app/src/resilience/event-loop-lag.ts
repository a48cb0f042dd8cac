/**
 * How late this process's event loop runs, sampled every `intervalMs`. For CPU-bound work (the
 * extractive path on the embedded store) overload queues in front of the event loop, in socket
 * buffers and unparsed requests, where a concurrency limit never sees it: each admitted request
 * finishes quickly, while those behind it wait seconds. The loop's lag is that queue's length in
 * time, so admission also sheds while it is over a bound.
 */
export class EventLoopLag {
    private lateMs = 0;
    private readonly timer: NodeJS.Timeout;

    constructor(intervalMs = 50) {
        let expected = performance.now() + intervalMs;
        this.timer = setInterval(() => {
            const now = performance.now();
            this.lateMs = Math.max(0, now - expected);
            expected = now + intervalMs;
        }, intervalMs);
        this.timer.unref(); // never what keeps the process alive
    }

    /** How late the last sample ran, in ms. */
    get ms(): number {
        return this.lateMs;
    }

    stop(): void {
        clearInterval(this.timer);
    }
}
