/** One request of the load, as the client saw it. */
export interface Attempt {
    kind: "ingest" | "ask";
    at: number;
    ok: boolean;
    status: number;
    side: string;
    docId?: string;
}

export interface LoadOptions {
    /** The regional name DNS answers now (with the resolver's caching). */
    resolve(): Promise<string>;
    /** Where a regional name's traffic lands (the loopback URL of that side's instance). */
    urlOf(name: string): string;
    ingestEveryMs: number;
    askEveryMs: number;
    maxRequests: number;
    timeoutMs: number;
}

/**
 * A bounded client load: one small document ingested every `ingestEveryMs` and one question
 * every `askEveryMs`, each through the name DNS answers now. Every attempt is recorded; a write
 * counts as acknowledged only on a 200.
 */
export class LoadGenerator {
    readonly attempts: Attempt[] = [];
    private timers: NodeJS.Timeout[] = [];
    private n = 0;

    constructor(private readonly o: LoadOptions) {}

    start(): void {
        this.timers.push(setInterval(() => void this.ingest(), this.o.ingestEveryMs), setInterval(() => void this.ask(), this.o.askEveryMs));
    }

    stop(): void {
        for (const t of this.timers) clearInterval(t);
        this.timers = [];
    }

    acknowledged(before = Infinity): string[] {
        return this.attempts.filter((a) => a.kind === "ingest" && a.ok && a.at < before).map((a) => a.docId!);
    }

    private budget(): boolean {
        if (this.attempts.length >= this.o.maxRequests) {
            this.stop();
            return false;
        }
        return true;
    }

    private async ingest(): Promise<void> {
        if (!this.budget()) return;
        const docId = `drill-${++this.n}`;
        const body = { documents: [{ id: docId, text: documentText(docId) }] };
        await this.send("ingest", "/v1/documents", body, docId);
    }

    private async ask(): Promise<void> {
        if (!this.budget()) return;
        await this.send("ask", "/v1/ask", { question: "what does the drill record hold" });
    }

    private async send(kind: Attempt["kind"], path: string, body: unknown, docId?: string): Promise<void> {
        const at = Date.now();
        let side = "?";
        try {
            side = await this.o.resolve();
            const response = await fetch(`${this.o.urlOf(side)}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(this.o.timeoutMs) });
            await response.arrayBuffer();
            this.attempts.push({ kind, at, ok: response.status === 200, status: response.status, side, docId });
        } catch {
            this.attempts.push({ kind, at, ok: false, status: 0, side, docId });
        }
    }
}

/** A document whose own text retrieves it first: distinctive tokens derived from its id. */
export function documentText(docId: string): string {
    const n = docId.replace(/\D/g, "");
    return `drill record ${docId} token k${n}a k${n}b k${n}c k${n}d holds entry ${n}`;
}

/** Which of `docIds` the instance at `url` cannot retrieve (asking with each document's own text). */
export async function missingDocuments(url: string, docIds: string[], concurrency = 4): Promise<string[]> {
    const missing: string[] = [];
    const queue = [...docIds];
    const worker = async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
            try {
                const response = await fetch(`${url}/v1/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ question: documentText(id) }), signal: AbortSignal.timeout(5_000) });
                const answer = (await response.json()) as { sources?: { id: string }[] };
                if (!answer.sources?.some((s) => s.id === id)) missing.push(id);
            } catch {
                missing.push(id);
            }
        }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return missing.sort();
}

/**
 * Failure windows: runs of failed attempts, from the first failure to the last one before a
 * success; windows less than `mergeGapMs` apart are one (a few lucky reads inside an outage).
 */
export function failureWindows(attempts: Attempt[], kind?: Attempt["kind"], mergeGapMs = 0): { from: number; to: number; failed: number }[] {
    const sorted = attempts.filter((a) => kind === undefined || a.kind === kind).sort((a, b) => a.at - b.at);
    const windows: { from: number; to: number; failed: number }[] = [];
    let open: { from: number; to: number; failed: number } | undefined;
    for (const a of sorted) {
        if (!a.ok) {
            open ??= { from: a.at, to: a.at, failed: 0 };
            open.to = a.at;
            open.failed++;
        } else if (open) {
            windows.push(open);
            open = undefined;
        }
    }
    if (open) windows.push(open);
    const merged: typeof windows = [];
    for (const w of windows) {
        const last = merged.at(-1);
        if (last && w.from - last.to < mergeGapMs) {
            last.to = w.to;
            last.failed += w.failed;
        } else merged.push({ ...w });
    }
    return merged;
}
