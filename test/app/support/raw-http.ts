import { connect } from "node:net";

export interface RawResponse {
    status: number;
    headers: Record<string, string>;
    body: string;
}

/** Sends bytes as they are (no client fixing up headers or encodings) and reads the response until the server closes. */
export function rawRequest(url: string, request: Buffer | string, timeoutMs = 5_000): Promise<RawResponse> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
        const socket = connect({ host: hostname, port: Number(port) });
        const chunks: Buffer[] = [];
        socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no complete response within ${timeoutMs} ms`)));
        socket.on("data", (d: Buffer) => chunks.push(d));
        socket.on("error", reject);
        socket.on("close", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            const [head = "", ...rest] = text.split("\r\n\r\n");
            const [statusLine = "", ...lines] = head.split("\r\n");
            const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]));
            let body = rest.join("\r\n\r\n");
            if (headers["transfer-encoding"] === "chunked") body = body.replace(/^[0-9a-f]+\r\n/, "").replace(/\r\n0\r\n\r\n$/, "");
            resolve({ status: Number(statusLine.split(" ")[1] ?? 0), headers, body });
        });
        socket.write(request);
    });
}

/** A POST of `body` with exactly the given header lines, closing after the response. */
export function rawPost(url: string, path: string, headerLines: string[], body: Buffer | string): Promise<RawResponse> {
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    const head = [`POST ${path} HTTP/1.1`, `Host: 127.0.0.1`, `Content-Length: ${bytes.length}`, "Connection: close", ...headerLines, "", ""].join("\r\n");
    return rawRequest(url, Buffer.concat([Buffer.from(head, "latin1"), bytes]));
}
