import { createHash } from "node:crypto";
import type { ServerResponse } from "node:http";
import { crc32 } from "node:zlib";
import { BucketStandIn, pageToken } from "./bucket-stand-in";
import type { RecordedRequest } from "./http-stand-in";

export const S3_TEST_ACCESS_KEY = "AKIAOBJECTSTORETEST";

/**
 * The part of the S3 REST API the object store uses, path-style (`/{bucket}/{key}`): PutObject
 * with `If-None-Match: *` (412 PreconditionFailed when the key exists, 409
 * ConditionalRequestConflict while another conditional write of the key is in flight, as S3
 * documents), GetObject (404 NoSuchKey) and ListObjectsV2 (Prefix, StartAfter, Delimiter,
 * MaxKeys, continuation tokens, CommonPrefixes). Every request must carry a SigV4 Authorization
 * header for the test access key; a body whose SHA-256 or CRC32 the client declared must match.
 * Faults answer S3's XML error documents.
 */
export class S3StandIn extends BucketStandIn {
    /** How long a conditional write stays in flight, so concurrent ones overlap. */
    writeLatencyMs = 25;
    private readonly writesInFlight = new Set<string>();

    protected override async respond(request: RecordedRequest, res: ServerResponse): Promise<void> {
        if (this.fault === "server-error") return sendError(res, 500, "InternalError", "We encountered an internal error. Please try again.");
        if (this.fault === "denied") return sendError(res, 403, "AccessDenied", "Access Denied");
        const unsigned = signatureProblem(request);
        if (unsigned) return sendError(res, 403, "SignatureDoesNotMatch", unsigned);

        const url = new URL(request.path, "http://stand-in");
        const [, bucket, ...keyParts] = url.pathname.split("/");
        if (bucket !== this.bucket) return sendError(res, 404, "NoSuchBucket", "The specified bucket does not exist");
        const key = decodeURIComponent(keyParts.join("/"));

        if (request.method === "GET" && key === "" && url.searchParams.get("list-type") === "2") return this.listObjectsV2(url.searchParams, res);
        if (key === "") return sendError(res, 400, "InvalidRequest", `unsupported bucket request ${request.method} ${url.search}`);
        if (request.method === "PUT") return this.putObject(key, request, res);
        if (request.method === "GET") {
            const body = this.objects.get(key);
            if (!body) return sendError(res, 404, "NoSuchKey", "The specified key does not exist.");
            res.writeHead(200, { "content-type": "application/octet-stream", "content-length": body.length, etag: etag(body) });
            res.end(body);
            return;
        }
        return sendError(res, 405, "MethodNotAllowed", `${request.method} is not supported here`);
    }

    private async putObject(key: string, request: RecordedRequest, res: ServerResponse): Promise<void> {
        const declared = request.headers["x-amz-checksum-crc32"];
        if (typeof declared === "string" && declared !== crc32Base64(request.raw)) {
            return sendError(res, 400, "BadDigest", "The CRC32 you specified did not match the calculated checksum.");
        }
        const condition = request.headers["if-none-match"];
        if (condition === undefined) {
            this.objects.set(key, request.raw);
            res.writeHead(200, { etag: etag(request.raw) }).end();
            return;
        }
        if (condition !== "*") return sendError(res, 501, "NotImplemented", "If-None-Match only accepts *");
        if (this.writesInFlight.has(key)) {
            return sendError(res, 409, "ConditionalRequestConflict", "The conditional request cannot succeed due to a conflicting operation against this resource.");
        }
        if (this.objects.has(key)) return sendError(res, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
        this.writesInFlight.add(key);
        await new Promise((resolve) => setTimeout(resolve, this.writeLatencyMs));
        this.writesInFlight.delete(key);
        this.objects.set(key, request.raw);
        res.writeHead(200, { etag: etag(request.raw) }).end();
    }

    private listObjectsV2(query: URLSearchParams, res: ServerResponse): void {
        const prefix = query.get("prefix") ?? "";
        const delimiter = query.get("delimiter") ?? undefined;
        const continuation = query.get("continuation-token") ?? undefined;
        const maxKeys = Number(query.get("max-keys") ?? "1000");
        const startAfter = query.get("start-after") ?? undefined;
        // S3 ignores StartAfter once a continuation token says where to resume.
        const page = this.listing({
            prefix,
            delimiter,
            startAfter: continuation === undefined ? startAfter : undefined,
            resumeAfter: continuation === undefined ? undefined : pageToken.decode(continuation),
            maxEntries: maxKeys,
        });
        const xml = [
            `<?xml version="1.0" encoding="UTF-8"?>`,
            `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`,
            `<Name>${escapeXml(this.bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>`,
            startAfter === undefined ? "" : `<StartAfter>${escapeXml(startAfter)}</StartAfter>`,
            continuation === undefined ? "" : `<ContinuationToken>${escapeXml(continuation)}</ContinuationToken>`,
            `<KeyCount>${page.keys.length + page.prefixes.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>`,
            delimiter === undefined ? "" : `<Delimiter>${escapeXml(delimiter)}</Delimiter>`,
            `<IsTruncated>${page.next !== undefined}</IsTruncated>`,
            page.next === undefined ? "" : `<NextContinuationToken>${pageToken.encode(page.next)}</NextContinuationToken>`,
            ...page.keys.map((key) => {
                const body = this.objects.get(key)!;
                return `<Contents><Key>${escapeXml(key)}</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>${escapeXml(etag(body))}</ETag><Size>${body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
            }),
            ...page.prefixes.map((p) => `<CommonPrefixes><Prefix>${escapeXml(p)}</Prefix></CommonPrefixes>`),
            `</ListBucketResult>`,
        ].join("");
        res.writeHead(200, { "content-type": "application/xml", "content-length": Buffer.byteLength(xml) });
        res.end(xml);
    }
}

/** Why the request is not SigV4-signed for the test key (the signature itself is not recomputed), or undefined. */
function signatureProblem(request: RecordedRequest): string | undefined {
    const authorization = request.headers.authorization;
    if (typeof authorization !== "string" || !authorization.startsWith(`AWS4-HMAC-SHA256 Credential=${S3_TEST_ACCESS_KEY}/`)) {
        return "no SigV4 Authorization header for the test access key";
    }
    if (!/SignedHeaders=[^,]*host/.test(authorization) || !/Signature=[0-9a-f]{64}$/.test(authorization)) return "malformed SigV4 Authorization header";
    if (typeof request.headers["x-amz-date"] !== "string") return "no x-amz-date header";
    const payloadHash = request.headers["x-amz-content-sha256"];
    if (typeof payloadHash === "string" && /^[0-9a-f]{64}$/.test(payloadHash) && payloadHash !== createHash("sha256").update(request.raw).digest("hex")) {
        return "x-amz-content-sha256 does not match the body";
    }
    return undefined;
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>STANDIN</RequestId></Error>`;
    res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(xml) });
    res.end(xml);
}

function etag(body: Buffer): string {
    return `"${createHash("md5").update(body).digest("hex")}"`;
}

function crc32Base64(body: Buffer): string {
    const checksum = Buffer.alloc(4);
    checksum.writeUInt32BE(crc32(body));
    return checksum.toString("base64");
}

function escapeXml(text: string): string {
    return text.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c]!);
}
