import assert from "node:assert/strict";
import { renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, it } from "node:test";
import type { RegionHealth } from "../../app/src/health/service";
import { loadConfig } from "../../app/src/config";
import type { ReplicationStatus } from "../../app/src/replication/service";
import { ask, eventually, freshDataDir, getJson, postJson, SAMPLE_DOCUMENTS, startService, type ErrorBody, type TestService } from "./support/service";

const TOKEN = "test-admin-token-0123456789";

/** Two sides on one machine: each journals into its own folder and follows the other's. */
function pairEnv(): { a: Record<string, string>; b: Record<string, string>; journals: { a: string; b: string } } {
    const journals = { a: join(freshDataDir(), "journal"), b: join(freshDataDir(), "journal") };
    const url = (dir: string) => pathToFileURL(dir).href;
    const common = { REPLICATION_POLL_MS: "50", ADMIN_TOKEN: TOKEN, REPLICATION_MAX_LAG_SECONDS: "5" };
    return {
        journals,
        a: { ...common, ROLE: "active", JOURNAL_URL: url(journals.a), PEER_JOURNAL_URLS: url(journals.b) },
        b: { ...common, ROLE: "standby", JOURNAL_URL: url(journals.b), PEER_JOURNAL_URLS: url(journals.a) },
    };
}

const replicationOf = async (service: TestService) => (await getJson<ReplicationStatus>(`${service.url}/v1/replication`)).body;

async function promote(service: TestService, mode: "planned" | "unplanned", token = TOKEN) {
    const response = await fetch(`${service.url}/admin/v1/promote`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ mode }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("an active and a standby instance", () => {
    const env = pairEnv();
    let active: TestService;
    let standby: TestService;

    before(async () => {
        active = await startService(env.a);
        standby = await startService(env.b);
    });

    after(async () => {
        await standby.shutdown();
        await active.shutdown();
    });

    it("the standby answers with the same sources within seconds of an ingest on the active side", async () => {
        const ingested = await postJson(`${active.url}/v1/documents`, { documents: SAMPLE_DOCUMENTS });
        assert.equal(ingested.status, 200);
        const question = "When does DNS answer with the secondary region?";
        const fromActive = await ask(active.url, question);
        await eventually(async () => (await ask(standby.url, question)).body.sources?.length === fromActive.body.sources.length, "standby has the documents");
        const fromStandby = await ask(standby.url, question);
        assert.deepEqual(fromStandby.body.sources.map((s) => s.id), fromActive.body.sources.map((s) => s.id));
        const status = await replicationOf(standby);
        assert.equal(status.role, "standby");
        assert.equal(status.fitForFailover, true);
        assert.ok(status.lagSeconds !== null && status.lagSeconds < 5, `lag ${status.lagSeconds}`);
        assert.deepEqual(status.position, { epoch: 1, seq: 1 });
        const activeMetrics = await (await fetch(`${active.adminUrl}/metrics`)).text();
        assert.match(activeMetrics, /^journal_writes_total\{outcome="ok"\} 1$/m);
        // The gauges follow the replication rounds, whether or not anyone reads the status.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const standbyMetrics = await (await fetch(`${standby.adminUrl}/metrics`)).text();
        assert.match(standbyMetrics, /^replication_entries_applied_total 1$/m);
        assert.match(standbyMetrics, /^replication_fit_for_failover 1$/m);
        assert.match(standbyMetrics, /^replication_epoch 1$/m);
    });

    it("the standby refuses writes with 503, Retry-After and a body that says it is read-only", async () => {
        const refused = await postJson<ErrorBody>(`${standby.url}/v1/documents`, { documents: [{ id: "x", text: "not here" }] });
        assert.equal(refused.status, 503);
        assert.equal(refused.headers.get("retry-after"), "5");
        assert.match(refused.body.message, /read-only standby; the other side \(epoch 1\) takes writes/);
    });

    it("both sides report healthy: the standby is caught up within the RPO", async () => {
        for (const side of [active, standby]) {
            const health = await getJson<RegionHealth>(`${side.adminUrl}/health`);
            assert.equal(health.status, 200, JSON.stringify(health.body.components.replication));
            assert.equal(health.body.components.replication.status, "ok");
        }
    });

    it("admin routes need the token", async () => {
        assert.equal((await promote(standby, "planned", "wrong-token-0123456789")).status, 401, "an unknown key is 401; a known key without the admin scope is 403 (auth.test.ts)");
        const anonymous = await fetch(`${standby.url}/admin/v1/promote`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"mode":"planned"}' });
        assert.equal(anonymous.status, 401);
    });

    it("a planned promotion fences the old writer, loses nothing, and the old side follows the new epoch", async () => {
        await postJson(`${active.url}/v1/documents`, { documents: [{ id: "late", text: "written just before the promotion" }] });
        const promoted = await promote(standby, "planned");
        assert.equal(promoted.status, 200, JSON.stringify(promoted.body));
        assert.equal(promoted.body.epoch, 2);
        assert.equal(promoted.body.fencedPeer, true);
        assert.deepEqual(promoted.body.continuesFrom, { epoch: 1, seq: 3 }, "entries 1 and 2, then the fence at 3");
        assert.ok((await ask(standby.url, "written just before the promotion")).body.sources.some((s) => s.id === "late"), "the last write before the fence was applied");

        const fenced = await postJson<ErrorBody>(`${active.url}/v1/documents`, { documents: [{ id: "split", text: "must not be accepted" }] });
        assert.equal(fenced.status, 503);
        assert.match(fenced.body.message, /read-only standby|fenced/);

        const written = await postJson(`${standby.url}/v1/documents`, { documents: [{ id: "after", text: "written in epoch two on the new writer" }] });
        assert.equal(written.status, 200);
        await eventually(async () => {
            const { position } = await replicationOf(active);
            return position?.epoch === 2 && position.seq >= 1;
        }, "old writer applied epoch 2's first write");
        const old = await replicationOf(active);
        assert.equal(old.role, "standby");
        assert.equal(old.diverged, 0);
        const onOld = await ask(active.url, "written in epoch two on the new writer");
        assert.ok(onOld.body.sources.some((s) => s.id === "after"), JSON.stringify({ onOld: onOld.body, old }));

        const again = await promote(standby, "planned");
        assert.equal(again.status, 200);
        assert.equal(again.body.alreadyActive, true, "promotion is idempotent");
    });
});

describe("a standby whose source goes silent", () => {
    const env = pairEnv();
    let active: TestService;
    let standby: TestService;

    before(async () => {
        active = await startService(env.a);
        standby = await startService({ ...env.b, REPLICATION_MAX_LAG_SECONDS: "1" });
    });

    after(async () => {
        await standby.shutdown();
        await active.shutdown();
    });

    it("turns /health to 503 once its lag passes the RPO, and says why", async () => {
        await eventually(async () => (await getJson(`${standby.url}/health`)).status === 200, "standby caught up");
        // A file where the active side's journal was: every read of it fails.
        renameSync(env.journals.a, `${env.journals.a}.unreachable`);
        writeFileSync(env.journals.a, "unreachable");
        await eventually(async () => (await getJson(`${standby.url}/health`)).status === 503, "standby unfit", 100, 50);
        const health = await getJson<RegionHealth>(`${standby.adminUrl}/health`);
        assert.equal(health.body.components.replication.status, "down");
        assert.match(health.body.components.replication.detail, /exceeds the RPO of 1 s/);
        const unplanned = await promote(standby, "planned");
        assert.equal(unplanned.status, 409, "a planned promotion needs the old writer's journal");
    });
});

describe("a journal that cannot be written", () => {
    it("acknowledges nothing: 503 with Retry-After, and the write is not in the journal", async () => {
        const env = pairEnv();
        const active = await startService(env.a);
        try {
            renameSync(env.journals.a, `${env.journals.a}.gone`);
            // A file where the journal's folder was: every create fails.
            writeFileSync(env.journals.a, "not a folder");
            const refused = await postJson<ErrorBody>(`${active.url}/v1/documents`, { documents: [{ id: "lost", text: "this write cannot be journaled" }] });
            assert.equal(refused.status, 503);
            assert.equal(refused.headers.get("retry-after"), "5");
            assert.match(refused.body.message, /change journal is unavailable; retry the request/);
        } finally {
            await active.shutdown();
        }
    });
});

describe("replication settings", () => {
    it("a standby without the active side's journal is a config error naming the variable", () => {
        const result = loadConfig({ ROLE: "standby" });
        assert.equal(result.ok, false);
        assert.deepEqual(!result.ok && result.errors, ["PEER_JOURNAL_URLS: is required when ROLE is standby (the active side's journal to follow)"]);
    });

    it("rejects locations that are not file://, s3:// or gs:// and a short admin token", () => {
        const result = loadConfig({ JOURNAL_URL: "http://bucket/x", PEER_JOURNAL_URLS: "s3://a/b,ftp://c", ADMIN_TOKEN: "short" });
        assert.equal(result.ok, false);
        assert.deepEqual(!result.ok && result.errors.map((e) => e.split(":")[0]).sort(), ["ADMIN_TOKEN", "JOURNAL_URL", "PEER_JOURNAL_URLS"]);
    });
});
