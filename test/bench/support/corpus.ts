/** A deterministic corpus for the service benches: 200 documents of sentences drawn from an infrastructure vocabulary. */
export function corpus(): Array<{ id: string; text: string }> {
    const words = "qdrant shard replica region failover route53 health check snapshot backup bucket cluster node zone quorum raft leader write consistency latency breaker timeout retry budget drain probe readiness liveness deployment gateway certificate".split(" ");
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % words.length;
    return Array.from({ length: 200 }, (_, d) => ({
        id: `doc-${d}`,
        text: Array.from({ length: 12 }, () => `The ${words[next()]} ${words[next()]} keeps the ${words[next()]} ${words[next()]} safe.`).join(" "),
    }));
}

