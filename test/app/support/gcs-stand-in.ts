import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { BucketStandIn, pageToken } from "./bucket-stand-in";
import { sendJson, type RecordedRequest } from "./http-stand-in";

/**
 * The part of the Cloud Storage JSON API the object store uses: multipart upload
 * (`POST /upload/storage/v1/b/{bucket}/o?uploadType=multipart&name=...`, `ifGenerationMatch=0`
 * answering 412 conditionNotMet when the object exists, decided when the write completes),
 * media download (`GET /storage/v1/b/{bucket}/o/{object}?alt=media`, 404 "No such object") and
 * objects.list (prefix, delimiter, startOffset inclusive, maxResults over items plus prefixes,
 * pageToken/nextPageToken). Uploads must be well-formed multipart/related bodies (JSON metadata,
 * then the media). Faults answer the API's JSON error documents.
 */
export class GcsStandIn extends BucketStandIn {
    /** How long an upload takes, so concurrent ones overlap. */
    writeLatencyMs = 25;
    private generation = 1_700_000_000_000_000;
    private readonly generations = new Map<string, number>();

    protected override async respond(request: RecordedRequest, res: ServerResponse): Promise<void> {
        if (this.fault === "server-error") return sendError(res, 500, "backendError", "We encountered an internal error. Please try again.");
        if (this.fault === "denied") return sendError(res, 403, "forbidden", "stand-in@example.iam.gserviceaccount.com does not have storage.objects.get access.");
        const url = new URL(request.path, "http://stand-in");
        const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o$/.exec(url.pathname);
        const object = /^\/storage\/v1\/b\/([^/]+)\/o(?:\/(.+))?$/.exec(url.pathname);
        const bucket = decodeURIComponent((upload ?? object)?.[1] ?? "");
        if (bucket !== this.bucket) return sendError(res, 404, "notFound", "The specified bucket does not exist.");

        if (upload && request.method === "POST") return this.upload(url.searchParams, request, res);
        if (object && request.method === "GET" && object[2] === undefined) return this.list(url.searchParams, res);
        if (object && request.method === "GET") {
            const name = decodeURIComponent(object[2]);
            const body = this.objects.get(name);
            if (!body) {
                // Media downloads answer errors as plain text, not the JSON error document.
                res.writeHead(404, { "content-type": "text/html; charset=UTF-8" }).end(`No such object: ${this.bucket}/${name}`);
                return;
            }
            if (url.searchParams.get("alt") === "media") {
                res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length, "x-goog-generation": String(this.generations.get(name)) });
                res.end(body);
                return;
            }
            return sendJson(res, 200, this.resource(name));
        }
        return sendError(res, 400, "invalid", `unsupported request ${request.method} ${url.pathname}`);
    }

    private async upload(query: URLSearchParams, request: RecordedRequest, res: ServerResponse): Promise<void> {
        if (query.get("uploadType") !== "multipart") return sendError(res, 400, "invalid", "only uploadType=multipart is served here");
        const parts = multipartParts(request);
        if (!parts) return sendError(res, 400, "invalid", "Metadata part is too large or the multipart body is malformed.");
        const metadata = JSON.parse(parts.metadata.toString("utf8")) as { name?: string };
        const name = query.get("name") ?? metadata.name;
        if (!name) return sendError(res, 400, "required", "Required: object name");
        await new Promise((resolve) => setTimeout(resolve, this.writeLatencyMs));
        const precondition = query.get("ifGenerationMatch");
        if (precondition !== null) {
            const current = this.generations.get(name) ?? 0;
            if (Number(precondition) !== current) {
                return sendError(res, 412, "conditionNotMet", "At least one of the pre-conditions you specified did not hold.");
            }
        }
        this.objects.set(name, parts.media);
        this.generations.set(name, ++this.generation);
        sendJson(res, 200, this.resource(name));
    }

    private list(query: URLSearchParams, res: ServerResponse): void {
        const token = query.get("pageToken");
        const page = this.listing({
            prefix: query.get("prefix") ?? "",
            delimiter: query.get("delimiter") ?? undefined,
            startOffset: query.get("startOffset") ?? undefined,
            resumeAfter: token === null ? undefined : pageToken.decode(token),
            maxEntries: Number(query.get("maxResults") ?? "1000"),
        });
        sendJson(res, 200, {
            kind: "storage#objects",
            ...(page.next === undefined ? {} : { nextPageToken: pageToken.encode(page.next) }),
            ...(page.prefixes.length > 0 ? { prefixes: page.prefixes } : {}),
            ...(page.keys.length > 0 ? { items: page.keys.map((name) => this.resource(name)) } : {}),
        });
    }

    private resource(name: string): Record<string, unknown> {
        const body = this.objects.get(name)!;
        const generation = String(this.generations.get(name));
        return {
            kind: "storage#object",
            id: `${this.bucket}/${name}/${generation}`,
            name,
            bucket: this.bucket,
            generation,
            metageneration: "1",
            contentType: "application/octet-stream",
            size: String(body.length),
            md5Hash: createHash("md5").update(body).digest("base64"),
            timeCreated: "2026-01-01T00:00:00.000Z",
            updated: "2026-01-01T00:00:00.000Z",
        };
    }
}

/** The two parts of a multipart/related upload (JSON metadata, then media), or undefined when malformed. */
function multipartParts(request: RecordedRequest): { metadata: Buffer; media: Buffer } | undefined {
    const contentType = request.headers["content-type"];
    const boundary = typeof contentType === "string" ? /^multipart\/related; boundary=(.+)$/.exec(contentType)?.[1] : undefined;
    if (!boundary) return undefined;
    const parts: Buffer[] = [];
    const delimiter = Buffer.from(`--${boundary}`);
    let at = request.raw.indexOf(delimiter);
    while (at !== -1) {
        const start = at + delimiter.length;
        if (request.raw.subarray(start, start + 2).toString() === "--") break;
        const next = request.raw.indexOf(delimiter, start);
        if (next === -1) return undefined;
        const part = request.raw.subarray(start + 2, next - 2); // drop the CRLF after the delimiter and before the next
        const headerEnd = part.indexOf("\r\n\r\n");
        if (headerEnd === -1) return undefined;
        parts.push(part.subarray(headerEnd + 4));
        at = next;
    }
    return parts.length === 2 ? { metadata: parts[0], media: parts[1] } : undefined;
}

function sendError(res: ServerResponse, status: number, reason: string, message: string): void {
    sendJson(res, status, { error: { code: status, message, errors: [{ message, domain: "global", reason }] } });
}
