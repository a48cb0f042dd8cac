import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface LoopbackServer {
    url: string;
    close(): Promise<void>;
}

/**
 * Serves `handler` on 127.0.0.1 only. The server stops by itself after `lifetimeMs` or
 * `maxRequests`, whichever comes first, so a forgotten stand-in cannot outlive its run.
 */
export async function serveLoopback(
    handler: (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void | Promise<void>,
    o: { lifetimeMs: number; maxRequests: number },
): Promise<LoopbackServer> {
    let served = 0;
    const server = http.createServer((req, res) => {
        served++;
        if (served > o.maxRequests) {
            res.writeHead(503).end("stand-in request budget spent");
            void close();
            return;
        }
        let body = "";
        req.on("data", (chunk: Buffer) => { body += chunk.toString("utf8"); });
        req.on("end", () => {
            Promise.resolve(handler(req, body, res)).catch((error: unknown) => {
                if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
                res.end(error instanceof Error ? error.message : String(error));
            });
        });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const timer = setTimeout(() => void close(), o.lifetimeMs);
    timer.unref();
    let closing: Promise<void> | undefined;
    function close(): Promise<void> {
        closing ??= new Promise<void>((resolve) => {
            clearTimeout(timer);
            server.close(() => resolve());
            server.closeAllConnections();
        });
        return closing;
    }
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close };
}
