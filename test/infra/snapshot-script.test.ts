import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { runProcess } from "../support/process";

// Read from its file, not through infra/backup (which loads the Pulumi SDKs): `npm run mutation`
// runs these tests against each mutant of the script (snapshot-job.exact.test.ts checks the job ships this file).
const SNAPSHOT_SCRIPT = fs.readFileSync(path.join(__dirname, "..", "..", "infra", "backup", "snapshot.sh"), "utf8");

/**
 * Runs the real snapshot script with bash against a stand-in for Qdrant's snapshot API
 * (peers told apart by Host: qdrant-N.localhost, which curl resolves to loopback) and an
 * `aws` command on PATH that copies into a folder the way `aws s3 cp` would.
 */

let server: http.Server;
let port = 0;
const calls: string[] = [];
let failingPeer: string | undefined;
/** When set, each peer's snapshot is this file's bytes (a sparse file: large, nothing on disk). */
let peerFile: string | undefined;
/** What the GCS and metadata stand-ins saw: uploads by object name with their byte counts and bearer. */
const gcsUploads: Array<{ name: string; bytes: number; authorization: string | undefined; contentLength: string | undefined }> = [];

before(async () => {
    server = http.createServer((req, res) => {
        // Google's metadata server and Cloud Storage's upload endpoint, for the GCP branch.
        if (req.url?.startsWith("/computeMetadata/v1/instance/service-accounts/default/")) {
            if (req.headers["metadata-flavor"] !== "Google") return void res.writeHead(403).end();
            if (req.url.includes("/token")) return void res.writeHead(200, { "content-type": "application/json" }).end('{"access_token":"ya29.stand-in","expires_in":3599,"token_type":"Bearer"}');
            return void res.writeHead(200).end("eyJ.stand-in.id-token");
        }
        const upload = /^\/upload\/storage\/v1\/b\/gcs-snapshots\/o\?uploadType=media&name=(.+)$/.exec(req.url ?? "");
        if (req.method === "POST" && upload) {
            let bytes = 0;
            req.on("data", (chunk: Buffer) => (bytes += chunk.length));
            req.on("end", () => {
                gcsUploads.push({ name: decodeURIComponent(upload[1]!), bytes, authorization: req.headers.authorization, contentLength: req.headers["content-length"] });
                res.writeHead(200, { "content-type": "application/json" }).end("{}");
            });
            return;
        }
        const peer = (req.headers.host ?? "").split(".")[0]!;
        calls.push(`${req.method} ${peer} ${req.url}`);
        if (peer === failingPeer) {
            res.writeHead(500).end('{"status":{"error":"disk full"}}');
            return;
        }
        const m = /^\/collections\/documents\/snapshots(?:\/([^?]+))?/.exec(req.url ?? "");
        if (!m) return void res.writeHead(404).end();
        const size = peerFile ? fs.statSync(peerFile).size : Buffer.byteLength(`data of ${peer}`);
        if (req.method === "POST") return void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ result: { name: `documents-${peer}.snapshot`, creation_time: "2026-11-30T05:00:00", size, checksum: "c" }, status: "ok", time: 0.1 }));
        if (req.method === "GET" && peerFile) return void fs.createReadStream(peerFile).pipe(res.writeHead(200, { "content-length": size }));
        if (req.method === "GET") return void res.writeHead(200).end(`data of ${peer}`);
        if (req.method === "DELETE") return void res.writeHead(200).end('{"result":true,"status":"ok"}');
        res.writeHead(405).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
});
after(() => server.close());

async function run(options: { target?: "s3" | "gcs"; peers?: number; memoryLimitKiB?: number } = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snapshot-"));
    const bin = path.join(dir, "bin");
    const s3 = path.join(dir, "s3");
    fs.mkdirSync(bin);
    fs.mkdirSync(s3);
    // A stand-in for `aws s3 cp [--expected-size N] SRC s3://BUCKET/KEY --sse aws:kms --sse-kms-key-id KEY`
    // (SRC "-" is stdin). It also records what the job had on its disk while uploading.
    fs.writeFileSync(path.join(bin, "aws"), [
        "#!/bin/bash",
        'echo "$*" >> "$FAKE_S3/.calls"',
        'src=""; dst=""; args=("$@")',
        'for ((k = 2; k < $#; k++)); do a="${args[$k]}"; case "$a" in --expected-size|--sse|--sse-kms-key-id) k=$((k + 1)) ;; s3://*) dst="${a#s3://}" ;; --*) ;; *) src="$a" ;; esac; done',
        'mkdir -p "$FAKE_S3/$(dirname "$dst")"',
        // Large uploads are counted, not kept.
        'if [ "$src" = "-" ] && [ -n "${COUNT_ONLY:-}" ]; then wc -c | tr -d " " > "$FAKE_S3/$dst.bytes"; elif [ "$src" = "-" ]; then cat > "$FAKE_S3/$dst"; else cp "$src" "$FAKE_S3/$dst"; fi',
        'echo "$dst" >> "$FAKE_S3/.order"',
        'echo "$(basename "$dst") $(find "$JOB_TMP" -type f | wc -l)" >> "$FAKE_S3/.disk"',
    ].join("\n"), { mode: 0o755 });
    const jobTmp = path.join(dir, "tmp");
    fs.mkdirSync(jobTmp);
    const script = path.join(dir, "snapshot.sh");
    fs.writeFileSync(script, SNAPSHOT_SCRIPT);
    // The job's memory limit, as a per-process address-space limit: a client that buffered a
    // snapshot whole would run out of it.
    const command = options.memoryLimitKiB ? ["-c", `ulimit -v ${options.memoryLimitKiB} && exec bash ${script}`] : [script];
    const result = await runProcess("bash", command, {
        env: {
            PATH: `${bin}:${process.env.PATH}`,
            FAKE_S3: s3,
            TMPDIR: jobTmp,
            JOB_TMP: jobTmp,
            COLLECTION: "documents",
            PEERS: String(options.peers ?? 3),
            HEADLESS_HOST: "localhost",
            QDRANT_PORT: String(port),
            TARGET: options.target ?? "s3",
            S3_BUCKET: "snapshots",
            KMS_KEY_ID: "arn:aws:kms:us-east-1:123456789012:key/k",
            GCS_BUCKET: "gcs-snapshots",
            GCE_METADATA_HOST: `127.0.0.1:${port}`,
            GCS_API: `http://127.0.0.1:${port}`,
            AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/gke-snapshots",
            AWS_WEB_IDENTITY_AUDIENCE: "sts.amazonaws.com",
            ...(peerFile ? { COUNT_ONLY: "1" } : {}),
        },
    });
    const read = (f: string) => (fs.existsSync(path.join(s3, f)) ? fs.readFileSync(path.join(s3, f), "utf8") : "");
    return { result, read, order: read(".order").trim().split("\n").filter(Boolean), awsCalls: read(".calls"), disk: read(".disk").trim().split("\n").filter(Boolean) };
}

describe("snapshot script", () => {
    test("is valid bash", () => {
        const check = spawnSync("bash", ["-n"], { input: SNAPSHOT_SCRIPT, encoding: "utf8" });
        assert.equal(check.status, 0, check.stderr);
    });

    test("snapshots every peer, uploads each encrypted, writes the manifest last and cleans the peers", async () => {
        calls.length = 0;
        failingPeer = undefined;
        const { result, read, order, awsCalls } = await run();
        assert.equal(result.code, 0, result.stderr);
        assert.equal(order.length, 4);
        const prefix = path.dirname(order[0]!);
        assert.match(prefix, /^snapshots\/documents\/\d{8}T\d{6}Z$/);
        assert.deepEqual(order.map((k) => path.basename(k)), ["peer-0.snapshot", "peer-1.snapshot", "peer-2.snapshot", "manifest.json"]);
        assert.equal(read(`${prefix}/peer-1.snapshot`), "data of qdrant-1");
        const manifest = JSON.parse(read(`${prefix}/manifest.json`));
        assert.deepEqual(manifest.peers, ["peer-0.snapshot", "peer-1.snapshot", "peer-2.snapshot"]);
        assert.equal(manifest.collection, "documents");
        assert.ok(awsCalls.split("\n").filter(Boolean).every((line) => line.includes("--sse aws:kms --sse-kms-key-id arn:aws:kms:us-east-1:123456789012:key/k")));
        assert.deepEqual(calls.filter((c) => c.startsWith("DELETE")).map((c) => c.split(" ")[1]), ["qdrant-0", "qdrant-1", "qdrant-2"]);
        assert.match(result.stdout, /snapshot set documents\/\d{8}T\d{6}Z complete \(3 peers\)/);
    });

    test("streams each peer's snapshot into the upload with Qdrant's size, staging nothing on the job's disk", async () => {
        calls.length = 0;
        failingPeer = undefined;
        const { result, awsCalls, disk } = await run();
        assert.equal(result.code, 0, result.stderr);
        const peerUploads = awsCalls.split("\n").filter((line) => line.includes(".snapshot"));
        assert.equal(peerUploads.length, 3);
        for (const [i, line] of peerUploads.entries()) {
            assert.match(line, new RegExp(`^s3 cp --only-show-errors --expected-size 16 - s3://snapshots/documents/\\d{8}T\\d{6}Z/peer-${i}\\.snapshot --sse aws:kms`));
        }
        assert.deepEqual(disk.slice(0, 3), ["peer-0.snapshot 0", "peer-1.snapshot 0", "peer-2.snapshot 0"], "no file on disk while a snapshot uploads");
        assert.equal(disk[3], "manifest.json 1");
    });

    test("a failing peer fails the run and leaves no manifest, so a restore never trusts the partial set", async () => {
        failingPeer = "qdrant-1";
        const { result, order } = await run();
        failingPeer = undefined;
        assert.notEqual(result.code, 0);
        assert.deepEqual(order.map((k) => path.basename(k)), ["peer-0.snapshot"]);
    });

    test("GCP active: each peer goes to GCS with the workload's token and to S3 under a federated identity, manifest last on both", async () => {
        calls.length = 0;
        gcsUploads.length = 0;
        failingPeer = undefined;
        const { result, order, awsCalls } = await run({ target: "gcs" });
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(gcsUploads.map((u) => path.basename(u.name)), ["peer-0.snapshot", "peer-1.snapshot", "peer-2.snapshot", "manifest.json"]);
        assert.ok(gcsUploads.every((u) => u.authorization === "Bearer ya29.stand-in"));
        assert.deepEqual(gcsUploads.slice(0, 3).map((u) => [u.bytes, u.contentLength]), [[16, "16"], [16, "16"], [16, "16"]], "Qdrant's size is the upload's length");
        assert.equal(path.dirname(gcsUploads[0]!.name), path.dirname(order[0]!).replace(/^snapshots\//, ""), "the same set prefix on both clouds");
        assert.deepEqual(order.map((k) => path.basename(k)), ["peer-0.snapshot", "peer-1.snapshot", "peer-2.snapshot", "manifest.json"]);
        assert.ok(awsCalls.length > 0);
    });

    test("a 1 GB snapshot streams to both clouds within a 512 MiB per-process memory limit", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sparse-"));
        peerFile = path.join(dir, "peer.snapshot");
        fs.writeFileSync(peerFile, "");
        fs.truncateSync(peerFile, 1_000_000_000); // sparse: a gigabyte that takes no disk
        gcsUploads.length = 0;
        try {
            const { result, read, order } = await run({ target: "gcs", peers: 1, memoryLimitKiB: 512 * 1024 });
            assert.equal(result.code, 0, result.stderr);
            assert.equal(gcsUploads[0]!.bytes, 1_000_000_000);
            assert.equal(read(`${order[0]!}.bytes`).trim(), "1000000000");
        } finally {
            peerFile = undefined;
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
