import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Authenticator } from "../../app/src/auth/authenticator";
import { apiKeysFromScopedKeys, parseApiKeyEntries, type ApiKeyEntry } from "../../app/src/auth/keys";
import { TokenBucket } from "../../app/src/auth/token-bucket";
import { loadConfig } from "../../app/src/config";
import { spawnServer, spawnService } from "./support/process";
import { freshDataDir, startService, type TestService } from "./support/service";

const sha256 = (key: string) => createHash("sha256").update(key).digest("hex");
const KEYS = {
    reader: "reader-key-0123456789abcdef0123456789",
    readerNext: "reader-key-next-0123456789abcdef0123",
    writer: "writer-key-0123456789abcdef0123456789",
    both: "both-key-0123456789abcdef0123456789ab",
    admin: "admin-key-0123456789abcdef0123456789a",
    throttled: "throttled-key-0123456789abcdef012345",
};
const API_KEYS = [
    `reader:read:${sha256(KEYS.reader)}`,
    `reader-next:read:${sha256(KEYS.readerNext)}`,
    `writer:write:${sha256(KEYS.writer)}`,
    `both:read+write:${sha256(KEYS.both)}`,
    `ops:admin:${sha256(KEYS.admin)}`,
].join(",");

async function call(url: string, path: string, body: unknown, key?: string, header: "authorization" | "x-api-key" = "authorization") {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (key !== undefined) headers[header] = header === "authorization" ? `Bearer ${key}` : key;
    const response = await fetch(`${url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

const DOC = { documents: [{ id: "auth-doc", text: "Only writers may store this sentence about failover." }] };
const QUESTION = { question: "who may store sentences about failover?" };

describe("API keys and scopes", () => {
    let service: TestService;
    before(async () => {
        service = await startService({ API_KEYS, ADMIN_TOKEN: "admin-token-0123456789" });
    });
    after(() => service.shutdown());

    it("refuses a request without a key with 401, the uniform body and WWW-Authenticate, storing nothing", async () => {
        const anonymous = await call(service.url, "/v1/documents", DOC);
        assert.equal(anonymous.status, 401);
        assert.deepEqual(Object.keys(anonymous.body).sort(), ["error", "message", "requestId"]);
        assert.equal(anonymous.body.error, "Unauthorized");
        assert.match(String(anonymous.headers.get("www-authenticate")), /^Bearer/);
        assert.equal((await call(service.url, "/v1/ask", QUESTION)).status, 401);
        const asked = await call(service.url, "/v1/ask", QUESTION, KEYS.reader);
        assert.deepEqual(asked.body.sources, [], "the anonymous write stored nothing");
    });

    it("refuses an unknown key and a malformed Authorization header with 401", async () => {
        assert.equal((await call(service.url, "/v1/ask", QUESTION, "not-a-key-0123456789abcdef")).status, 401);
        const basic = await fetch(`${service.url}/v1/ask`, { method: "POST", headers: { "content-type": "application/json", authorization: `Basic ${KEYS.reader}` }, body: JSON.stringify(QUESTION) });
        assert.equal(basic.status, 401);
    });

    it("refuses a key without the route's scope with 403, naming the key id, never the key", async () => {
        const readerWrites = await call(service.url, "/v1/documents", DOC, KEYS.reader);
        assert.equal(readerWrites.status, 403);
        assert.equal(readerWrites.body.error, "Forbidden");
        assert.match(String(readerWrites.body.message), /reader does not have the write scope/);
        assert.doesNotMatch(JSON.stringify(readerWrites.body), new RegExp(KEYS.reader));
        assert.equal((await call(service.url, "/v1/ask", QUESTION, KEYS.writer)).status, 403);
        assert.equal((await call(service.url, "/admin/v1/promote", { mode: "planned" }, KEYS.both)).status, 403);
    });

    it("lets each scope do its own: write ingests, read asks, read+write both, X-API-Key as well as Bearer", async () => {
        assert.equal((await call(service.url, "/v1/documents", DOC, KEYS.writer)).status, 200);
        const answer = await call(service.url, "/v1/ask", QUESTION, KEYS.reader);
        assert.equal(answer.status, 200);
        assert.equal((answer.body.sources as Array<{ id: string }>)[0]!.id, "auth-doc");
        assert.equal((await call(service.url, "/v1/ask", QUESTION, KEYS.both, "x-api-key")).status, 200);
        assert.equal((await call(service.url, "/v1/documents", DOC, KEYS.both, "x-api-key")).status, 200);
    });

    it("accepts the old and the new key of a rotation at once", async () => {
        assert.equal((await call(service.url, "/v1/ask", QUESTION, KEYS.reader)).status, 200);
        assert.equal((await call(service.url, "/v1/ask", QUESTION, KEYS.readerNext)).status, 200);
    });

    it("admits an admin-scope key and ADMIN_TOKEN to the admin routes (a bad body then is 400, past authentication)", async () => {
        assert.equal((await call(service.url, "/admin/v1/promote", { mode: "bogus" }, KEYS.admin)).status, 400);
        assert.equal((await call(service.url, "/admin/v1/promote", { mode: "bogus" }, "admin-token-0123456789")).status, 400);
        assert.equal((await call(service.url, "/v1/ask", QUESTION, KEYS.admin)).status, 403, "admin is not read");
    });

    it("leaves the probes open", async () => {
        for (const path of ["/livez", "/readyz", "/health"]) assert.equal((await fetch(`${service.url}${path}`)).status, 200, path);
    });
});

describe("per-key rate limits", () => {
    let service: TestService;
    before(async () => {
        service = await startService({
            API_KEYS: `throttled:read:${sha256(KEYS.throttled)},reader:read:${sha256(KEYS.reader)}`,
            API_KEY_RATE_PER_SECOND: "1",
            API_KEY_BURST: "3",
        });
    });
    after(() => service.shutdown());

    it("answers 429 with Retry-After past a key's burst, while another key is served", async () => {
        const statuses: number[] = [];
        let limited: Awaited<ReturnType<typeof call>> | undefined;
        for (let i = 0; i < 5; i++) {
            const r = await call(service.url, "/v1/ask", QUESTION, KEYS.throttled);
            statuses.push(r.status);
            if (r.status === 429) limited ??= r;
        }
        assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
        assert.ok(limited !== undefined, `statuses ${statuses.join(",")}`);
        assert.equal(limited.body.error, "Too Many Requests");
        assert.match(String(limited.body.message), /throttled is over its rate limit/);
        assert.ok(Number(limited.headers.get("retry-after")) >= 1);
        assert.equal((await call(service.url, "/v1/ask", QUESTION, KEYS.reader)).status, 200);
    });
});

describe("the authenticator and its token bucket", () => {
    const entry = (id: string, key: string, scopes: ApiKeyEntry["scopes"]): ApiKeyEntry => ({ id, scopes, digest: createHash("sha256").update(key).digest() });

    it("finds a key among several, whatever its position, and refuses near misses", () => {
        const auth = new Authenticator({ keys: [entry("a", "key-a-0123456789abcdef", ["read"]), entry("b", "key-b-0123456789abcdef", ["write"])], enabled: true, ratePerSecond: 100, burst: 100 });
        assert.deepEqual(auth.authorize("write", "key-b-0123456789abcdef"), { ok: true, keyId: "b" });
        assert.deepEqual(auth.authorize("read", "key-a-0123456789abcdef"), { ok: true, keyId: "a" });
        assert.equal(auth.authorize("read", "key-a-0123456789abcde")?.ok, false);
        assert.equal(auth.authorize("read", "key-a-0123456789abcdef ")?.ok, false);
    });

    it("opens read and write, never admin, when disabled", () => {
        const auth = new Authenticator({ keys: [], enabled: false, ratePerSecond: 1, burst: 1 });
        assert.equal(auth.authorize("read", undefined), undefined);
        assert.equal(auth.authorize("write", undefined), undefined);
        assert.deepEqual(auth.authorize("admin", undefined)?.ok, false);
    });

    it("grants the burst at once, then one token per 1/rate seconds, and says how long to wait", () => {
        const bucket = new TokenBucket(2, 3, 0);
        assert.deepEqual([bucket.take(0), bucket.take(0), bucket.take(0)], [0, 0, 0]);
        assert.equal(bucket.take(0), 1);
        assert.equal(bucket.take(499), 1, "half a token after 499 ms at 2/s");
        assert.equal(bucket.take(501), 0);
        assert.equal(bucket.take(10_000), 0);
        assert.deepEqual([bucket.take(10_000), bucket.take(10_000), bucket.take(10_000)], [0, 0, 1], "refilled to the burst, not beyond");
        const slow = new TokenBucket(0.1, 1, 0);
        slow.take(0);
        assert.equal(slow.take(0), 10);
    });

    it("parses API_KEYS and names the entry it refuses, never echoing a digest", () => {
        const digest = sha256("k");
        const ok = parseApiKeyEntries(`a:read:${digest}, b:read+write:${digest}`);
        assert.equal(ok.ok && ok.entries.map((e) => `${e.id}=${e.scopes.join("+")}`).join(" "), "a=read b=read+write");
        assert.deepEqual(parseApiKeyEntries(`a:read:plain-key-instead`), { ok: false, error: "entry 1 (a): the key's SHA-256 must be 64 lower-case hex digits (never the key itself)" });
        assert.deepEqual(parseApiKeyEntries(`a:root:${digest}`), { ok: false, error: 'entry 1 (a): unknown scope "root" (scopes: read, write, admin)' });
        assert.deepEqual(parseApiKeyEntries(`a:read:${digest},a:write:${digest}`), { ok: false, error: 'entry 2 (a): id "a" appears more than once' });
        assert.equal(parseApiKeyEntries(`bad id:read:${digest}`).ok, false);
    });

    it("builds API_KEYS from plain keys per scope: hashes only, one entry per key with all its scopes", () => {
        const text = apiKeysFromScopedKeys({ read: ["key-one-0123456789abcdef", "key-two-0123456789abcdef"], write: ["key-two-0123456789abcdef"] });
        assert.doesNotMatch(text, /key-one|key-two/);
        assert.deepEqual(text.split(","), [
            `key-${sha256("key-one-0123456789abcdef").slice(0, 12)}:read:${sha256("key-one-0123456789abcdef")}`,
            `key-${sha256("key-two-0123456789abcdef").slice(0, 12)}:read+write:${sha256("key-two-0123456789abcdef")}`,
        ]);
    });
});

describe("where the service listens, and whether it may without keys", () => {
    it("defaults to 127.0.0.1 with authentication off", () => {
        const result = loadConfig({});
        assert.ok(result.ok);
        assert.equal(result.config.host, "127.0.0.1");
        assert.equal(result.config.auth.enabled, false);
        assert.equal(result.config.auth.offReason, "loopback");
    });

    it("refuses another address without keys, in one line naming both settings", () => {
        assert.deepEqual(loadConfig({ HOST: "0.0.0.0" }), {
            ok: false,
            errors: ["HOST: 0.0.0.0 is not a loopback address and API_KEYS lists no read or write key; set API_KEYS, or AUTH_DISABLED=true to serve without authentication"],
        });
        assert.equal(loadConfig({ HOST: "0.0.0.0", API_KEYS: `ops:admin:${sha256("k")}` }).ok, false, "an admin key alone does not protect the API");
    });

    it("serves another address with keys, or with authentication explicitly disabled", () => {
        const keyed = loadConfig({ HOST: "0.0.0.0", API_KEYS: `r:read:${sha256("k")}` });
        assert.ok(keyed.ok && keyed.config.auth.enabled);
        const open = loadConfig({ HOST: "0.0.0.0", AUTH_DISABLED: "true" });
        assert.ok(open.ok && !open.config.auth.enabled && open.config.auth.offReason === "disabled");
        assert.deepEqual(loadConfig({ AUTH_DISABLED: "true", API_KEYS: `r:read:${sha256("k")}` }), { ok: false, errors: ["AUTH_DISABLED: is true while API_KEYS lists keys; unset one of them"] });
        assert.deepEqual(loadConfig({ API_KEYS: "r:read:secret" }), { ok: false, errors: ["API_KEYS: entry 1 (r): the key's SHA-256 must be 64 lower-case hex digits (never the key itself)"] });
    });

    it("exits 2 with one line when started on 0.0.0.0 without keys", async () => {
        const child = spawnServer({ HOST: "0.0.0.0", PORT: "0", ADMIN_PORT: "0", DATA_DIR: freshDataDir() });
        let err = "";
        child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
        const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
        assert.equal(code, 2);
        assert.equal(err.trim().split("\n").length, 1, err);
        assert.match(err, /^config error: HOST: 0\.0\.0\.0 is not a loopback address/);
    });

    it("logs one warning line when authentication is off, and the address it actually bound", async () => {
        const service = await spawnService({ DATA_DIR: freshDataDir() });
        service.child.kill("SIGTERM");
        await service.exited;
        const lines = service.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { level: number; msg: string; bound?: Record<string, string> });
        const warnings = lines.filter((l) => l.level === 40);
        assert.equal(warnings.length, 1, JSON.stringify(warnings));
        assert.match(warnings[0]!.msg, /^authentication is off: listening on 127\.0\.0\.1 only/);
        const serving = lines.find((l) => l.msg === "serving")!;
        assert.match(serving.bound!.http!, /^127\.0\.0\.1:\d+$/);
        assert.equal(service.url, `http://${serving.bound!.http}`);
    });
});

