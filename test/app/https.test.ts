import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { get } from "node:https";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { getJson, startService, type TestService } from "./support/service";

/** A self-signed certificate for 127.0.0.1, made for these tests only (valid until 2126). */
const CERT = join(__dirname, "fixtures", "tls-test-only.crt");
const KEY = join(__dirname, "fixtures", "tls-test-only.key");

/** GET over TLS, trusting the test certificate. */
function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        get(url, { ca }, (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        }).on("error", reject);
    });
}

describe("HTTPS beside plain HTTP when TLS files are given", () => {
    let service: TestService;

    before(async () => {
        service = await startService({ TLS_CERT_FILE: CERT, TLS_KEY_FILE: KEY, HTTPS_PORT: "0" });
    });

    after(async () => service.shutdown());

    it("serves the same API on both listeners", async () => {
        assert.equal(service.urls.length, 2);
        assert.match(service.urls[1], /^https:/);
        const secure = await httpsGet(`${service.urls[1]}/health`, readFileSync(CERT, "utf8"));
        assert.equal(secure.status, 200);
        assert.equal(JSON.parse(secure.body).status, "ok");
        assert.equal((await getJson(`${service.urls[0]}/livez`)).status, 200);
    });
});
