import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { SNAPSHOT_SCRIPT } from "../../infra/backup";
import { runProcess } from "../support/process";

/**
 * The snapshot script's failure paths and its GCP branch, run with bash against a loopback
 * stand-in for Qdrant, Google's metadata server and Cloud Storage, and an `aws` on PATH that
 * records what it was asked to upload and under which identity.
 */

const ERROR_BODY = '{"status":{"error":"snapshot file vanished"}}';
let server: http.Server;
let port = 0;
/** Peer whose snapshot download answers 500 with ERROR_BODY (its create and delete succeed). */
let failingDownload: string | undefined;
const metadataPaths: string[] = [];
const gcsObjects: string[] = [];

before(async () => {
    server = http.createServer((req, res) => {
        const url = req.url ?? "";
        if (url.startsWith("/computeMetadata/v1/instance/service-accounts/default/")) {
            metadataPaths.push(url.slice("/computeMetadata/v1/instance/service-accounts/default/".length));
            if (url.includes("/token")) return void res.writeHead(200).end('{"access_token":"ya29.stand-in","expires_in":3599}');
            return void res.writeHead(200).end("google-id-token-for-aws");
        }
        const upload = /^\/upload\/storage\/v1\/b\/gcs-snapshots\/o\?uploadType=media&name=(.+)$/.exec(url);
        if (req.method === "POST" && upload) {
            req.resume();
            req.on("end", () => {
                gcsObjects.push(decodeURIComponent(upload[1]!));
                res.writeHead(200).end("{}");
            });
            return;
        }
        const peer = (req.headers.host ?? "").split(".")[0]!;
        const body = `data of ${peer}`;
        if (req.method === "POST") return void res.writeHead(200).end(JSON.stringify({ result: { name: `${peer}.snapshot`, size: Buffer.byteLength(body) }, status: "ok" }));
        if (req.method === "GET" && peer === failingDownload) return void res.writeHead(500).end(ERROR_BODY);
        if (req.method === "GET") return void res.writeHead(200).end(body);
        if (req.method === "DELETE") return void res.writeHead(200).end('{"result":true}');
        res.writeHead(405).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
});
after(() => server.close());

/** Runs the script; returns its result and every object the `aws` stand-in stored, with its content. */
async function run(target: "s3" | "gcs") {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snapshot-exact-"));
    const bin = path.join(dir, "bin");
    const s3 = path.join(dir, "s3");
    fs.mkdirSync(bin);
    fs.mkdirSync(s3);
    // `aws s3 cp [opts] - s3://BUCKET/KEY ...`: stores stdin under KEY, and logs the web identity it ran with.
    fs.writeFileSync(path.join(bin, "aws"), [
        "#!/bin/bash",
        'for a in "$@"; do case "$a" in s3://*) dst="${a#s3://}" ;; esac; done',
        'mkdir -p "$FAKE_S3/$(dirname "$dst")"',
        'cat > "$FAKE_S3/$dst"',
        'echo "$dst role=${AWS_ROLE_ARN:-} token=$(cat "${AWS_WEB_IDENTITY_TOKEN_FILE:-/dev/null}" 2>/dev/null)" >> "$FAKE_S3/.identity"',
    ].join("\n"), { mode: 0o755 });
    const script = path.join(dir, "snapshot.sh");
    fs.writeFileSync(script, SNAPSHOT_SCRIPT);
    const env: NodeJS.ProcessEnv = {
        PATH: `${bin}:${process.env.PATH}`,
        FAKE_S3: s3,
        TMPDIR: dir,
        COLLECTION: "documents",
        PEERS: "2",
        HEADLESS_HOST: "localhost",
        QDRANT_PORT: String(port),
        TARGET: target,
        S3_BUCKET: "snapshots",
        KMS_KEY_ID: "k",
        GCS_BUCKET: "gcs-snapshots",
        GCE_METADATA_HOST: `127.0.0.1:${port}`,
        GCS_API: `http://127.0.0.1:${port}`,
    };
    if (target === "gcs") Object.assign(env, { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/gke-snapshots", AWS_WEB_IDENTITY_AUDIENCE: "langchain-ha-prod-snapshots" });
    const result = await runProcess("bash", [script], { env });
    const objects = new Map<string, string>();
    const walk = (d: string) => {
        for (const e of fs.readdirSync(d, { withFileTypes: true })) {
            const p = path.join(d, e.name);
            if (e.isDirectory()) walk(p);
            else if (!e.name.startsWith(".")) objects.set(path.relative(s3, p), fs.readFileSync(p, "utf8"));
        }
    };
    walk(s3);
    const identity = fs.existsSync(path.join(s3, ".identity")) ? fs.readFileSync(path.join(s3, ".identity"), "utf8").trim().split("\n") : [];
    fs.rmSync(dir, { recursive: true, force: true });
    return { result, objects, identity };
}

describe("snapshot script (exact)", () => {
    for (const target of ["s3", "gcs"] as const) {
        test(`${target}: a download that fails is never uploaded as a snapshot, and the set gets no manifest`, async () => {
            failingDownload = "qdrant-1";
            gcsObjects.length = 0;
            const { result, objects } = await run(target);
            failingDownload = undefined;
            assert.notEqual(result.code, 0, "the run fails");
            for (const [key, content] of objects) {
                assert.ok(!content.includes("snapshot file vanished"), `${key} holds Qdrant's error body`);
                assert.ok(!key.endsWith("manifest.json"), "no manifest for a partial set");
            }
            assert.deepEqual(gcsObjects.filter((k) => k.endsWith("manifest.json")), []);
            assert.equal(objects.get([...objects.keys()].find((k) => k.endsWith("peer-0.snapshot"))!), "data of qdrant-0", "the peer before the failure was uploaded whole");
        });
    }

    test("gcs: the copy to S3 runs as the federated AWS role with the Google ID token for its audience", async () => {
        metadataPaths.length = 0;
        gcsObjects.length = 0;
        const { result, objects, identity } = await run("gcs");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(metadataPaths[0], "identity?audience=langchain-ha-prod-snapshots&format=full");
        assert.equal(identity.length, 3, "two peers and the manifest went to S3");
        for (const line of identity) assert.match(line, / role=arn:aws:iam::123456789012:role\/gke-snapshots token=google-id-token-for-aws$/);
        const keys = [...objects.keys()].map((k) => k.replace(/\/\d{8}T\d{6}Z\//, "/<stamp>/")).sort();
        assert.deepEqual(keys, ["snapshots/documents/<stamp>/manifest.json", "snapshots/documents/<stamp>/peer-0.snapshot", "snapshots/documents/<stamp>/peer-1.snapshot"]);
        assert.deepEqual(gcsObjects.map((k) => k.replace(/\/\d{8}T\d{6}Z\//, "/<stamp>/")), ["documents/<stamp>/peer-0.snapshot", "documents/<stamp>/peer-1.snapshot", "documents/<stamp>/manifest.json"]);
    });

    test("s3: no Google identity is fetched and nothing goes to GCS", async () => {
        metadataPaths.length = 0;
        gcsObjects.length = 0;
        const { result, identity } = await run("s3");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(metadataPaths, []);
        assert.deepEqual(gcsObjects, []);
        assert.equal(identity.length, 3);
    });
});
