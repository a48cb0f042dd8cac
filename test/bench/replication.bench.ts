/**
 * Bench for standby replication (run alone: `npx tsx test/bench/replication.bench.ts`).
 *
 * On loopback, embedded stores, journals in local folders (file://):
 * The load is modest (10 batches/s) and the store timeout generous: what is measured is the
 * journal and the follower, not the store (store.bench.ts measures that).
 * 1. Ingest p99 with and without the change journal: two instances at once, warmed up, the same
 *    load on each side by side (the journal's cost).
 * 2. Replication lag under a bounded ingest load: an active and a standby instance; for every
 *    acknowledged batch, the time until the standby's position covers it. p50/p99/max.
 * 3. Catch-up: the standby is stopped while ingestion goes on, then restarted on the same data;
 *    entries applied per second until it is caught up.
 * Goals (exit 1 when missed): p99 lag <= 5 s; journal overhead on ingest p99 <= 20 %.
 */
import pino from "pino";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadConfig } from "../../app/src/config";
import type { ReplicationStatus } from "../../app/src/replication/service";
import { startServer, type RunningServer } from "../../app/src/server";
import { getJson, postJson } from "../app/support/service";
import { reportGoals, runBench } from "./goals";

const RATE_PER_SECOND = 10;
const LOAD_SECONDS = 15;
const STOPPED_SECONDS = 10;
const GOALS = { p99LagSeconds: 5, ingestOverheadPercent: 20 };

const dir = (name: string) => mkdtempSync(join(tmpdir(), `langchain-ha-bench-${name}-`));
const percentile = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(env: Record<string, string>, journal: "on" | "off" = "on"): Promise<RunningServer> {
    const result = loadConfig({ PORT: "0", ADMIN_PORT: "0", LOG_LEVEL: "silent", REPLICATION_POLL_MS: "100", VECTOR_TIMEOUT_MS: "10000", ...env });
    if (!result.ok) throw new Error(result.errors.join("; "));
    return startServer(result.config, { logger: pino({ level: "silent" }), processMetrics: false, journal });
}

const text = (i: number) => `Batch ${i}: the snapshot of shard ${i % 7} in zone ${i % 3} was copied to the disaster recovery bucket at step ${i}.`;

/** Ingests at a fixed rate for a bounded time; returns each batch's acknowledgement time and latency. */
async function load(url: string, from: number, seconds: number): Promise<Array<{ i: number; ackedAt: number; ms: number }>> {
    const acks: Array<{ i: number; ackedAt: number; ms: number }> = [];
    const pending: Promise<void>[] = [];
    const total = RATE_PER_SECOND * seconds;
    const began = performance.now();
    for (let n = 0; n < total; n++) {
        const i = from + n;
        const due = began + (n * 1000) / RATE_PER_SECOND;
        await sleep(Math.max(0, due - performance.now()));
        pending.push(
            (async () => {
                const started = performance.now();
                const response = await postJson(`${url}/v1/documents`, { documents: [{ id: `doc-${i}`, text: text(i) }] });
                if (response.status !== 200) throw new Error(`ingest ${i} answered ${response.status}: ${JSON.stringify(response.body)}`);
                acks.push({ i, ackedAt: Date.now(), ms: performance.now() - started });
            })(),
        );
    }
    await Promise.all(pending);
    return acks;
}

async function main(): Promise<void> {
    // 1. The journal's cost on ingest latency: both servers up at once, warmed up, then the same
    // load on each side by side, so both see the same machine and the same JIT state.
    const plain = await start({ DATA_DIR: dir("plain") }, "off");
    const journaled = await start({ DATA_DIR: dir("journaled") });
    await Promise.all([load(plain.urls[0], 900_000, 2), load(journaled.urls[0], 900_000, 2)]);
    const [plainAcks, journaledAcks] = await Promise.all([load(plain.urls[0], 0, 10), load(journaled.urls[0], 0, 10)]);
    await plain.shutdown();
    await journaled.shutdown();
    const p99Plain = percentile(plainAcks.map((a) => a.ms), 99);
    const p99Journaled = percentile(journaledAcks.map((a) => a.ms), 99);
    const overhead = ((p99Journaled - p99Plain) / p99Plain) * 100;
    console.log(`ingest p99 without journal ${p99Plain.toFixed(2)} ms, with journal ${p99Journaled.toFixed(2)} ms: ${overhead.toFixed(1)} % (goal <= ${GOALS.ingestOverheadPercent} %), ${plainAcks.length} batches each`);

    // 2. Lag under load.
    const journals = { a: pathToFileURL(join(dir("a"), "journal")).href, b: pathToFileURL(join(dir("b"), "journal")).href };
    const standbyData = dir("standby");
    const standbyEnv = { DATA_DIR: standbyData, ROLE: "standby", JOURNAL_URL: journals.b, PEER_JOURNAL_URLS: journals.a };
    const active = await start({ DATA_DIR: dir("active"), JOURNAL_URL: journals.a, PEER_JOURNAL_URLS: journals.b });
    let standby = await start(standbyEnv);
    const caughtUpAt = new Map<number, number>(); // entry seq -> when the standby covered it
    let watching = true;
    const watch = (async () => {
        while (watching) {
            const { body } = await getJson<ReplicationStatus>(`${standby.urls[0]}/v1/replication`).catch(() => ({ body: undefined }));
            const seq = body?.position?.epoch === 1 ? body.position.seq : 0;
            for (let s = 1; s <= seq; s++) if (!caughtUpAt.has(s)) caughtUpAt.set(s, Date.now());
            await sleep(20);
        }
    })();
    const acks = await load(active.urls[0], 0, LOAD_SECONDS);
    await sleep(3_000);
    watching = false;
    await watch;
    // Batch i was ingested alone into an otherwise idle journal, mostly one entry each; its entry
    // seq is read back from the journal order through the active side's head after the run.
    const head = (await getJson<ReplicationStatus>(`${active.urls[0]}/v1/replication`)).body.head?.seq ?? 0;
    const lags = acks
        .map((a, n) => {
            const seq = Math.min(head, Math.round(((n + 1) * head) / acks.length));
            const at = caughtUpAt.get(seq);
            return at === undefined ? Number.POSITIVE_INFINITY : Math.max(0, at - a.ackedAt) / 1000;
        })
        .filter((l) => Number.isFinite(l));
    const p99Lag = percentile(lags, 99);
    console.log(
        `replication lag over ${acks.length} batches at ${RATE_PER_SECOND}/s for ${LOAD_SECONDS} s (${head} journal entries): p50 ${percentile(lags, 50).toFixed(3)} s, p99 ${p99Lag.toFixed(3)} s, max ${Math.max(...lags).toFixed(3)} s (goal p99 <= ${GOALS.p99LagSeconds} s)`,
    );

    // 3. Catch-up after the standby was stopped.
    await standby.shutdown();
    await load(active.urls[0], 100_000, STOPPED_SECONDS);
    const target = (await getJson<ReplicationStatus>(`${active.urls[0]}/v1/replication`)).body.head!;
    const restarted = performance.now();
    standby = await start(standbyEnv);
    while (((await getJson<ReplicationStatus>(`${standby.urls[0]}/v1/replication`)).body.position?.seq ?? 0) < target.seq) {
        if (performance.now() - restarted > 120_000) throw new Error("the standby did not catch up within 120 s");
        await sleep(20);
    }
    const seconds = (performance.now() - restarted) / 1000;
    const behind = target.seq - (head > 0 ? head : 0);
    console.log(`catch-up after ${STOPPED_SECONDS} s stopped: ${behind} entries behind, caught up ${seconds.toFixed(2)} s after restart (${(behind / seconds).toFixed(0)} entries/s)`);
    await standby.shutdown();
    await active.shutdown();

    reportGoals("replication.bench", [
        { name: `p99 lag ${p99Lag.toFixed(2)} s <= ${GOALS.p99LagSeconds} s`, met: p99Lag <= GOALS.p99LagSeconds },
        { name: `ingest overhead ${overhead.toFixed(1)} % <= ${GOALS.ingestOverheadPercent} %`, met: overhead <= GOALS.ingestOverheadPercent },
    ]);
}

runBench(main);
