import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RecordedRequest {
    method: string;
    path: string;
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
    /** The body's bytes as received (binary uploads do not survive the UTF-8 `body`). */
    raw: Buffer;
}

export type Handler = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/**
 * A small HTTP server on an ephemeral port that records every request. `stop()` then `start()`
 * reopens it on the same port, so a client sees "connection refused" in between.
 */
export class HttpStandIn {
    readonly requests: RecordedRequest[] = [];
    private server?: Server;
    private readonly sockets = new Set<Socket>();
    private port = 0;

    constructor(private readonly handle: Handler) {}

    get url(): string {
        return `http://127.0.0.1:${this.port}`;
    }

    async start(): Promise<this> {
        const server = createServer((req, res) => void this.dispatch(req, res));
        server.on("connection", (socket) => {
            this.sockets.add(socket);
            socket.on("close", () => this.sockets.delete(socket));
        });
        await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
        this.port = (server.address() as AddressInfo).port;
        this.server = server;
        return this;
    }

    /** Closes the listener and every open connection: clients get refused or reset. */
    async stop(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        if (!server) return;
        for (const socket of this.sockets) socket.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    count(predicate: (r: RecordedRequest) => boolean = () => true): number {
        return this.requests.filter(predicate).length;
    }

    private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const bytes = Buffer.concat(chunks);
        const raw = bytes.toString("utf8");
        let body: unknown = raw;
        try {
            body = raw ? JSON.parse(raw) : undefined;
        } catch {
            // not JSON: keep the raw text
        }
        const recorded = { method: req.method ?? "GET", path: req.url ?? "/", headers: req.headers, body, raw: bytes };
        this.requests.push(recorded);
        await this.handle(recorded, res);
    }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
}
