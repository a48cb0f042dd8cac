import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
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
 * The snapshot script's failure paths and its GCP branch, run with bash against a loopback
 * stand-in for Qdrant, Google's metadata server and Cloud Storage, and an `aws` on PATH that
 * records what it was asked to upload and under which identity.
 */

const ERROR_BODY = '{"status":{"error":"snapshot file vanished"}}';
const API_KEY = "qdrant-key-123";
let server: http.Server;
let port = 0;

/** How the stand-ins misbehave in one test; reset before each run. */
interface Faults {
    /** Peer whose snapshot download answers 500 with ERROR_BODY (its create and delete succeed). */
    failingDownload?: string;
    /** Peer whose second download (the one for GCS) answers 500 with ERROR_BODY. */
    failingSecondDownload?: string;
    /** Peer whose snapshot deletion answers 500. */
    failingDelete?: string;
    /** Peer whose snapshot request answers 200 with this body instead. */
    created?: { peer: string; body: string };
    /** From this access-token request on (1: every one), Google's metadata server refuses it. */
    tokenRefusedFrom?: number;
    /** Cloud Storage refuses uploads. */
    uploadRefused?: boolean;
    /** Peer whose snapshot download sends half its bytes, then nothing, holding the connection open. */
    stalledDownload?: string;
    /** Cloud Storage takes each upload's body and never answers. */
    stalledUpload?: boolean;
    /** The `aws` stand-in fails the manifest's upload to S3. */
    manifestRefused?: boolean;
}
let faults: Faults = {};
const metadataPaths: string[] = [];
const gcsObjects: string[] = [];
/** Every Qdrant request as "METHOD peer api-key". */
const qdrantRequests: string[] = [];
const downloads = new Map<string, number>();
let tokenRequests = 0;

before(async () => {
    // The stand-ins wait as long as a real server might (a body that stops short is waited for;
    // a stalled answer stays open): the script's own STALL_SECONDS must end the transfer. 30 s
    // bounds each request all the same.
    server = http.createServer({ requestTimeout: 30_000, connectionsCheckingInterval: 250 }, (req, res) => {
        const url = req.url ?? "";
        if (url.startsWith("/computeMetadata/v1/instance/service-accounts/default/")) {
            metadataPaths.push(url.slice("/computeMetadata/v1/instance/service-accounts/default/".length));
            if (url.includes("/token")) return void (++tokenRequests >= (faults.tokenRefusedFrom ?? Infinity) ? res.writeHead(500).end('{"error":"metadata unavailable"}') : res.writeHead(200).end('{"access_token":"ya29.stand-in","expires_in":3599}'));
            return void res.writeHead(200).end("google-id-token-for-aws");
        }
        const upload = /^\/upload\/storage\/v1\/b\/gcs-snapshots\/o\?uploadType=media&name=(.+)$/.exec(url);
        if (req.method === "POST" && upload) {
            req.resume();
            if (faults.stalledUpload) return;
            req.on("end", () => {
                if (faults.uploadRefused) return void res.writeHead(403).end('{"error":"forbidden"}');
                gcsObjects.push(decodeURIComponent(upload[1]!));
                res.writeHead(200).end("{}");
            });
            return;
        }
        const peer = (req.headers.host ?? "").split(".")[0]!;
        qdrantRequests.push(`${req.method} ${peer} ${String(req.headers["api-key"])}`);
        const body = `data of ${peer}`;
        if (req.method === "POST" && faults.created?.peer === peer) return void res.writeHead(200).end(faults.created.body);
        if (req.method === "POST") return void res.writeHead(200).end(JSON.stringify({ result: { name: `${peer}.snapshot`, size: Buffer.byteLength(body) }, status: "ok" }));
        if (req.method === "GET") {
            const n = (downloads.get(peer) ?? 0) + 1;
            downloads.set(peer, n);
            if (peer === faults.failingDownload || (peer === faults.failingSecondDownload && n === 2)) return void res.writeHead(500).end(ERROR_BODY);
            if (peer === faults.stalledDownload) return void res.writeHead(200, { "content-length": Buffer.byteLength(body) }).write(body.slice(0, 8));
            return void res.writeHead(200).end(body);
        }
        if (req.method === "DELETE" && peer === faults.failingDelete) return void res.writeHead(500).end('{"status":{"error":"busy"}}');
        if (req.method === "DELETE") return void res.writeHead(200).end('{"result":true}');
        res.writeHead(405).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
});
after(() => {
    server.closeAllConnections();
    server.close();
});

/**
 * Runs the script with `f` faults (and `unset` variables left out); returns its result, every
 * object the `aws` stand-in stored with its content, and what the job left in its TMPDIR.
 */
async function run(target: "s3" | "gcs", f: Faults = {}, unset: string[] = []) {
    faults = f;
    metadataPaths.length = 0;
    gcsObjects.length = 0;
    qdrantRequests.length = 0;
    downloads.clear();
    tokenRequests = 0;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "snapshot-exact-"));
    const bin = path.join(dir, "bin");
    const s3 = path.join(dir, "s3");
    const tmp = path.join(dir, "tmp");
    fs.mkdirSync(bin);
    fs.mkdirSync(s3);
    fs.mkdirSync(tmp);
    // `aws s3 cp [opts] - s3://BUCKET/KEY ...`: stores stdin under KEY, and logs the web identity it ran with.
    fs.writeFileSync(path.join(bin, "aws"), [
        "#!/bin/bash",
        'for a in "$@"; do case "$a" in s3://*) dst="${a#s3://}" ;; esac; done',
        'if [ -n "${REFUSE_MANIFEST:-}" ] && [ "${dst##*/}" = manifest.json ]; then cat > /dev/null; echo "upload failed: AccessDenied" >&2; exit 1; fi',
        'mkdir -p "$FAKE_S3/$(dirname "$dst")"',
        'cat > "$FAKE_S3/$dst"',
        'echo "$dst role=${AWS_ROLE_ARN:-} token=$(cat "${AWS_WEB_IDENTITY_TOKEN_FILE:-/dev/null}" 2>/dev/null)" >> "$FAKE_S3/.identity"',
    ].join("\n"), { mode: 0o755 });
    const script = path.join(dir, "snapshot.sh");
    fs.writeFileSync(script, SNAPSHOT_SCRIPT);
    const env: NodeJS.ProcessEnv = {
        PATH: `${bin}:${process.env.PATH}`,
        FAKE_S3: s3,
        TMPDIR: tmp,
        COLLECTION: "documents",
        PEERS: "2",
        HEADLESS_HOST: "localhost",
        QDRANT_PORT: String(port),
        QDRANT_API_KEY: API_KEY,
        TARGET: target,
        S3_BUCKET: "snapshots",
        KMS_KEY_ID: "k",
        GCS_BUCKET: "gcs-snapshots",
        GCE_METADATA_HOST: `127.0.0.1:${port}`,
        GCS_API: `http://127.0.0.1:${port}`,
        // Short, for the stall cases; 3 s rather than 1 so that a loaded machine's pause in a
        // healthy loopback transfer is not taken for a stall.
        STALL_SECONDS: "3",
        ...(f.manifestRefused ? { REFUSE_MANIFEST: "1" } : {}),
    };
    if (target === "gcs") Object.assign(env, { AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/gke-snapshots", AWS_WEB_IDENTITY_AUDIENCE: "langchain-ha-prod-snapshots" });
    for (const name of unset) delete env[name];
    // A run still going after 20 s is stuck (a transfer the script does not give up on): killed, code null.
    const result = await runProcess("bash", [script], { env, timeoutMs: 20_000 });
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
    const leftBehind = fs.readdirSync(tmp);
    fs.rmSync(dir, { recursive: true, force: true });
    faults = {};
    return { result, objects, identity, leftBehind };
}

/** The objects' keys with the set's timestamp as <stamp>. */
const unstamped = (keys: Iterable<string>) => [...keys].map((k) => k.replace(/\/\d{8}T\d{6}Z\//, "/<stamp>/")).sort();

describe("snapshot script (exact)", () => {
    for (const target of ["s3", "gcs"] as const) {
        test(`${target}: a download that fails is never uploaded as a snapshot, and the set gets no manifest`, async () => {
            const { result, objects } = await run(target, { failingDownload: "qdrant-1" });
            assert.equal(result.code, 1, "the run fails");
            for (const [key, content] of objects) {
                assert.ok(!content.includes("snapshot file vanished"), `${key} holds Qdrant's error body`);
                assert.ok(!key.endsWith("manifest.json"), "no manifest for a partial set");
            }
            assert.deepEqual(gcsObjects.filter((k) => k.endsWith("manifest.json")), []);
            assert.equal(objects.get([...objects.keys()].find((k) => k.endsWith("peer-0.snapshot"))!), "data of qdrant-0", "the peer before the failure was uploaded whole");
        });
    }

    test("gcs: the copy to S3 runs as the federated AWS role with the Google ID token for its audience", async () => {
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
        const { result, identity } = await run("s3");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(metadataPaths, []);
        assert.deepEqual(gcsObjects, []);
        assert.equal(identity.length, 3);
    });

    test("every Qdrant request carries the API key, and each peer's upload is logged with its name, size and time", async () => {
        const { result, leftBehind } = await run("s3");
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(qdrantRequests, ["qdrant-0", "qdrant-1"].flatMap((peer) => [`POST ${peer} ${API_KEY}`, `GET ${peer} ${API_KEY}`, `DELETE ${peer} ${API_KEY}`]));
        const lines = result.stdout.trim().split("\n").map((l) => l.replace(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z /, ""));
        assert.deepEqual(lines.map((l) => l.replace(/ in \d+ s$/, " in N s").replace(/\d{8}T\d{6}Z/, "<stamp>")), [
            "peer 0: qdrant-0.snapshot (16 bytes) uploaded in N s",
            "peer 1: qdrant-1.snapshot (16 bytes) uploaded in N s",
            "snapshot set documents/<stamp> complete (2 peers)",
        ]);
        assert.deepEqual(leftBehind, [], "the job's work folder is removed");
    });

    for (const [what, body] of [["no size", '{"result":{"name":"qdrant-1.snapshot"},"status":"ok"}'], ["no name", '{"result":{"size":16},"status":"ok"}']] as const) {
        test(`a snapshot request answered with ${what} fails the run with one line, and the set gets no manifest`, async () => {
            const { result, objects, leftBehind } = await run("s3", { created: { peer: "qdrant-1", body } });
            assert.equal(result.code, 1);
            assert.match(result.stdout, /Z peer 1: snapshot request returned no name or size\n$/);
            assert.deepEqual(unstamped(objects.keys()), ["snapshots/documents/<stamp>/peer-0.snapshot"]);
            assert.deepEqual(leftBehind, [], "the job's work folder is removed on failure too");
        });
    }

    test("a snapshot that cannot be deleted is logged and kept, and the set completes", async () => {
        const { result, objects } = await run("s3", { failingDelete: "qdrant-0" });
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /Z peer 0: could not delete qdrant-0\.snapshot \(kept on its volume\)\n/);
        assert.doesNotMatch(result.stdout, /could not delete qdrant-1/);
        assert.deepEqual(unstamped(objects.keys()), ["snapshots/documents/<stamp>/manifest.json", "snapshots/documents/<stamp>/peer-0.snapshot", "snapshots/documents/<stamp>/peer-1.snapshot"]);
    });

    test("gcs: a download for the GCS copy that fails is never uploaded, and no manifest is written on either cloud", async () => {
        const { result, objects } = await run("gcs", { failingSecondDownload: "qdrant-1" });
        assert.equal(result.code, 1);
        assert.deepEqual(unstamped(gcsObjects), ["documents/<stamp>/peer-0.snapshot"]);
        assert.deepEqual(unstamped(objects.keys()), ["snapshots/documents/<stamp>/peer-0.snapshot", "snapshots/documents/<stamp>/peer-1.snapshot"]);
    });

    test("gcs: an access token the metadata server refuses fails the run before anything goes to GCS", async () => {
        const { result, objects } = await run("gcs", { tokenRefusedFrom: 1 });
        assert.equal(result.code, 1);
        assert.deepEqual(gcsObjects, []);
        assert.ok(![...objects.keys()].some((k) => k.endsWith("manifest.json")));
    });

    test("gcs: a token refused for the manifest (after both peers) fails the run: the set is never called complete", async () => {
        const { result } = await run("gcs", { tokenRefusedFrom: 3 });
        assert.equal(result.code, 1);
        assert.deepEqual(unstamped(gcsObjects), ["documents/<stamp>/peer-0.snapshot", "documents/<stamp>/peer-1.snapshot"]);
        assert.doesNotMatch(result.stdout, /complete/);
    });

    test("gcs: an upload Cloud Storage refuses fails the run, and no manifest is written", async () => {
        const { result, objects } = await run("gcs", { uploadRefused: true });
        assert.equal(result.code, 1);
        assert.ok(![...objects.keys()].some((k) => k.endsWith("manifest.json")));
    });

    test("a peer that stops sending mid-snapshot fails the run with a line naming it, and the set gets no manifest", async () => {
        const { result, objects } = await run("s3", { stalledDownload: "qdrant-1" });
        assert.equal(result.code, 1);
        assert.match(result.stderr, /Operation too slow/);
        assert.match(result.stdout, /Z peer 1: qdrant-1\.snapshot could not be copied to every target \(a failed or stalled transfer, above\); no manifest is written, so no restore uses this set\n$/);
        assert.ok(![...objects.keys()].some((k) => k.endsWith("manifest.json")));
        assert.ok(!qdrantRequests.includes(`DELETE qdrant-1 ${API_KEY}`), "the peer's snapshot is kept for another try");
    });

    test("gcs: an upload Cloud Storage never answers fails the run, and no manifest is written on either cloud", async () => {
        const { result, objects } = await run("gcs", { stalledUpload: true });
        assert.equal(result.code, 1);
        assert.match(result.stdout, /Z peer 0: qdrant-0\.snapshot could not be copied to every target/);
        assert.deepEqual(unstamped(objects.keys()), ["snapshots/documents/<stamp>/peer-0.snapshot"]);
        assert.deepEqual(gcsObjects, []);
    });

    test("a manifest that S3 refuses fails the run: the set is never called complete", async () => {
        const { result, objects } = await run("s3", { manifestRefused: true });
        assert.equal(result.code, 1);
        assert.match(result.stderr, /upload failed: AccessDenied/);
        assert.doesNotMatch(result.stdout, /complete/);
        assert.deepEqual(unstamped(objects.keys()), ["snapshots/documents/<stamp>/peer-0.snapshot", "snapshots/documents/<stamp>/peer-1.snapshot"]);
    });

    test("a required variable left unset fails the run before Qdrant is asked for anything", async () => {
        const { result, objects } = await run("s3", {}, ["COLLECTION"]);
        assert.equal(result.code, 1);
        assert.match(result.stderr, /COLLECTION: unbound variable/);
        assert.deepEqual(qdrantRequests, []);
        assert.equal(objects.size, 0);
    });
});
