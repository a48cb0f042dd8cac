import type { ServerResponse } from "node:http";
import { HttpStandIn, sendJson, type RecordedRequest } from "./http-stand-in";

/**
 * A loopback proxy in front of a stand-in that makes some of its calls slow, failing or held,
 * the way a sick dependency behaves: `delayMs` before each forwarded call, `failureRate` of
 * them answered 500 instead, `hold` keeping them until release(). Only requests for which
 * `applies` is true are touched. Failures are drawn from a seeded generator per kind of request
 * (`kindOf`), so a test's sequence of calls meets the same failures on every run.
 */
export class ChaosProxy extends HttpStandIn {
    delayMs = 0;
    failureRate = 0;
    hold = false;
    applies: (request: RecordedRequest) => boolean = () => true;
    kindOf: (request: RecordedRequest) => string = (request) => request.path.split("?")[0];
    /** Requests answered 500 by the proxy, per kind. */
    readonly injected = new Map<string, number>();
    private readonly draws = new Map<string, () => number>();
    private held: Array<() => void> = [];

    constructor(
        private readonly target: () => string,
        private readonly seed = 1,
    ) {
        super((request, res) => this.forward(request, res));
    }

    get heldCount(): number {
        return this.held.length;
    }

    /** Lets every held request through (to the target) and stops holding new ones. */
    release(): void {
        this.hold = false;
        const held = this.held;
        this.held = [];
        for (const go of held) go();
    }

    private async forward(request: RecordedRequest, res: ServerResponse): Promise<void> {
        if (this.applies(request)) {
            if (this.hold) await new Promise<void>((resolve) => this.held.push(resolve));
            if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
            const kind = this.kindOf(request);
            if (this.failureRate > 0 && this.draw(kind) < this.failureRate) {
                this.injected.set(kind, (this.injected.get(kind) ?? 0) + 1);
                return sendJson(res, 500, { status: { error: "injected failure" }, time: 0 });
            }
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) {
            if (typeof value === "string" && !["host", "connection", "content-length", "transfer-encoding"].includes(name)) headers[name] = value;
        }
        const upstream = await fetch(`${this.target()}${request.path}`, {
            method: request.method,
            headers,
            body: ["GET", "HEAD"].includes(request.method) ? undefined : new Uint8Array(request.raw),
        });
        const body = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "application/json", "content-length": body.length });
        res.end(body);
    }

    /** mulberry32, one stream per kind of request. */
    private draw(kind: string): number {
        let next = this.draws.get(kind);
        if (!next) {
            let state = [...kind].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, this.seed);
            next = () => {
                state = (state + 0x6d2b79f5) | 0;
                let t = Math.imul(state ^ (state >>> 15), 1 | state);
                t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
                return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
            };
            this.draws.set(kind, next);
        }
        return next();
    }
}
