import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { getJson, startService, type TestService } from "./support/service";

/** GET over TLS, trusting the test's self-signed certificate. */
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
    const dir = mkdtempSync(join(tmpdir(), "langchain-ha-tls-"));
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    let service: TestService;

    before(async () => {
        execFileSync("openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", key, "-out", cert,
        ], { stdio: "ignore" });
        service = await startService({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key, HTTPS_PORT: "0" });
    });

    after(async () => service.shutdown());

    it("serves the same API on both listeners", async () => {
        assert.equal(service.urls.length, 2);
        assert.match(service.urls[1], /^https:/);
        const ca = readFileSync(cert, "utf8");
        const secure = await httpsGet(`${service.urls[1]}/health`, ca);
        assert.equal(secure.status, 200);
        assert.equal(JSON.parse(secure.body).status, "ok");
        assert.equal((await getJson(`${service.urls[0]}/livez`)).status, 200);
    });
});
