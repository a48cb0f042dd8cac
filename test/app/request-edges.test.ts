import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { connect } from "node:net";
import { after, before, describe, it } from "node:test";
import { rawPost, rawRequest } from "./support/raw-http";
import { getJson, postJson, startService, type ErrorBody, type TestService } from "./support/service";

const JSON_TYPE = "Content-Type: application/json";

/** The vector store's own count, from the detailed health on the admin port. */
const storedChunks = async (service: TestService) =>
    String(((await getJson(`${service.adminUrl}/health`)).body.components as Record<string, { detail: string }>).vectorstore.detail);

function assertErrorBody(body: unknown, status: string): void {
    const b = body as ErrorBody;
    assert.deepEqual(Object.keys(b).sort(), ["error", "message", "requestId"]);
    assert.equal(b.error, status);
    assert.ok(b.message.length > 0);
    assert.ok(b.requestId.length > 0);
}

describe("request edges: media types, encodings, numbers, text and metadata bounds", () => {
    let service: TestService;
    before(async () => {
        service = await startService({});
        const seeded = await postJson(`${service.url}/v1/documents`, { documents: [{ id: "seed", text: "Route53 health checks decide the failover." }] });
        assert.equal(seeded.status, 200);
    });
    after(() => service.shutdown());

    it("refuses a body without a content type with 415, storing nothing", async () => {
        const response = await rawPost(service.url, "/v1/documents", [], JSON.stringify({ documents: [{ id: "untyped", text: "no content type here" }] }));
        assert.equal(response.status, 415);
        assertErrorBody(JSON.parse(response.body), "Unsupported Media Type");
        assert.equal(await storedChunks(service), "embedded, 1 chunks");
    });

    it("refuses text/plain with 415 instead of accepting it and failing validation", async () => {
        const response = await rawPost(service.url, "/v1/ask", ["Content-Type: text/plain"], "what decides the failover?");
        assert.equal(response.status, 415);
        assert.match(JSON.parse(response.body).message, /application\/json/);
    });

    it("refuses invalid UTF-8 with 400 instead of storing U+FFFD", async () => {
        const body = Buffer.concat([Buffer.from('{"documents":[{"id":"latin1","text":"caf'), Buffer.from([0xe9]), Buffer.from(' au lait"}]}')]);
        const response = await rawPost(service.url, "/v1/documents", [JSON_TYPE], body);
        assert.equal(response.status, 400);
        assert.match(JSON.parse(response.body).message, /UTF-8/);
        assert.equal(await storedChunks(service), "embedded, 1 chunks");
    });

    it("refuses non-finite numbers in metadata instead of changing them", async () => {
        const response = await rawPost(service.url, "/v1/documents", [JSON_TYPE], '{"documents":[{"id":"inf","text":"a number too large","metadata":{"weight":1e999}}]}');
        assert.equal(response.status, 400);
        assert.equal(await storedChunks(service), "embedded, 1 chunks");
    });

    it("refuses text and questions of only whitespace or zero-width characters", async () => {
        for (const text of ["\u200b\u200c\u200d", " \t\n ", "\ufeff\u2060", "\u00a0\u3000"]) {
            const doc = await postJson(`${service.url}/v1/documents`, { documents: [{ text }] });
            assert.equal(doc.status, 400, JSON.stringify(text));
            const question = await postJson(`${service.url}/v1/ask`, { question: text });
            assert.equal(question.status, 400, JSON.stringify(text));
        }
        assert.equal(await storedChunks(service), "embedded, 1 chunks");
    });

    it("takes a question of 4,000 characters and refuses 4,001", async () => {
        const base = "failover ";
        const exact = base.repeat(Math.ceil(4000 / base.length)).slice(0, 4000);
        assert.equal((await postJson(`${service.url}/v1/ask`, { question: exact })).status, 200);
        const over = await postJson<ErrorBody>(`${service.url}/v1/ask`, { question: `${exact}x` });
        assert.equal(over.status, 400);
        assert.match(over.body.message, /4000/);
    });

    it("answers metadata nested 10,000 deep with a clean 400, and the region stays healthy", async () => {
        const deep = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
        for (let i = 0; i < 8; i++) {
            const response = await rawPost(service.url, "/v1/documents", [JSON_TYPE], `{"documents":[{"id":"deep","text":"deep metadata","metadata":${deep}}]}`);
            assert.equal(response.status, 400);
        }
        const health = await getJson(`${service.url}/health`);
        assert.equal(health.status, 200);
        assert.deepEqual(health.body, { status: "ok", reason: "ok" });
    });

    it("takes metadata 4 levels deep and refuses 5, and refuses metadata over 16 KB", async () => {
        // The metadata object is level 1.
        const four = { a: { b: { c: { d: 1 } } } };
        assert.equal((await postJson(`${service.url}/v1/documents`, { documents: [{ id: "four", text: "four levels of metadata", metadata: four }] })).status, 200);
        const five = { a: { b: { c: { d: { e: 1 } } } } };
        assert.equal((await postJson(`${service.url}/v1/documents`, { documents: [{ id: "five", text: "five levels of metadata", metadata: five }] })).status, 400);
        const wide = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, "v".repeat(1_000)]));
        const big = await postJson<ErrorBody>(`${service.url}/v1/documents`, { documents: [{ id: "big", text: "large metadata", metadata: wide }] });
        assert.equal(big.status, 400);
        assert.match(big.body.message, /more than 16384/);
    });

    it("gives a document without an id the documented sha256-<first 32 hex digits of the text's SHA-256>", async () => {
        const text = "An id derived from the text itself.";
        const response = await postJson<{ documents: Array<{ id: string }> }>(`${service.url}/v1/documents`, { documents: [{ text }] });
        assert.equal(response.status, 200);
        assert.equal(response.body.documents[0]!.id, `sha256-${createHash("sha256").update(text).digest("hex").slice(0, 32)}`);
        assert.match(response.body.documents[0]!.id, /^sha256-[0-9a-f]{32}$/);
    });
});

describe("methods, request ids, ports and error bodies", () => {
    let service: TestService;
    before(async () => {
        service = await startService({});
    });
    after(() => service.shutdown());

    it("answers GET /v1/ask with 405 and Allow: POST, in the uniform error body", async () => {
        const response = await fetch(`${service.url}/v1/ask`);
        assert.equal(response.status, 405);
        assert.equal(response.headers.get("allow"), "POST");
        assertErrorBody(await response.json(), "Method Not Allowed");
        assert.equal((await fetch(`${service.url}/v1/nothing`)).status, 404);
    });

    it("honours a valid X-Request-Id, echoes it, and replaces an invalid one", async () => {
        const given = await fetch(`${service.url}/v1/ask`, { method: "POST", headers: { "content-type": "application/json", "x-request-id": "trace-42.abc" }, body: "{}" });
        assert.equal(given.headers.get("x-request-id"), "trace-42.abc");
        assert.equal(((await given.json()) as ErrorBody).requestId, "trace-42.abc");
        const invalid = await fetch(`${service.url}/livez`, { headers: { "x-request-id": "has spaces and ;" } });
        assert.match(String(invalid.headers.get("x-request-id")), /^[0-9a-f]{8}-[0-9a-f]{4}-/);
        const none = await fetch(`${service.url}/livez`);
        assert.match(String(none.headers.get("x-request-id")), /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    });

    it("serves /metrics and the detailed health on the admin port only; the public /health says one word", async () => {
        assert.equal((await fetch(`${service.url}/metrics`)).status, 404);
        const metrics = await fetch(`${service.adminUrl}/metrics`);
        assert.equal(metrics.status, 200);
        assert.match(await metrics.text(), /http_requests_total/);
        const detailed = await getJson(`${service.adminUrl}/health`);
        assert.ok("components" in detailed.body);
        const open = await getJson(`${service.url}/health`);
        assert.deepEqual(Object.keys(open.body).sort(), ["reason", "status"]);
        assert.match(String(open.body.reason), /^[a-z]+$/);
        assert.equal((await fetch(`${service.adminUrl}/v1/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"question":"x"}' })).status, 404);
    });

    it("answers an oversized body with 413 in the uniform error body", async () => {
        const response = await rawPost(service.url, "/v1/documents", [JSON_TYPE], JSON.stringify({ documents: [{ text: "x".repeat(1_100_000) }] }));
        assert.equal(response.status, 413);
        assertErrorBody(JSON.parse(response.body), "Payload Too Large");
    });

    it("answers malformed JSON with 400 in the uniform error body", async () => {
        const response = await rawPost(service.url, "/v1/ask", [JSON_TYPE], '{"question":');
        assert.equal(response.status, 400);
        assertErrorBody(JSON.parse(response.body), "Bad Request");
    });
});

describe("slow clients", () => {
    let service: TestService;
    before(async () => {
        service = await startService({ HEADERS_TIMEOUT_MS: "500" });
    });
    after(() => service.shutdown());

    it("closes a socket whose headers never complete once the headers timeout passes", async () => {
        const { hostname, port } = new URL(service.url);
        const socket = connect({ host: hostname, port: Number(port) });
        socket.write("POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        let received = "";
        socket.on("data", (d: Buffer) => (received += d.toString()));
        // Bounded: 10x the configured timeout. Node's default check interval (30 s) would keep it open far longer.
        const closed = await new Promise<boolean>((resolve) => {
            const timer = setTimeout(() => resolve(false), 5_000);
            socket.on("close", () => {
                clearTimeout(timer);
                resolve(true);
            });
        });
        socket.destroy();
        assert.equal(closed, true, "the server closed the socket");
        assert.match(received, /^HTTP\/1\.1 408/);
    });

    it("uses 30 s for headers and whole requests by default", async () => {
        const response = await rawRequest(service.url, "GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assert.equal(response.status, 200);
        const { loadConfig } = await import("../../app/src/config");
        const config = loadConfig({});
        assert.equal(config.ok && config.config.headersTimeoutMs, 30_000);
    });
});
