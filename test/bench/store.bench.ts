/**
 * Bench for the embedded store (run alone: `npx tsx test/bench/store.bench.ts`).
 *
 * On loopback, through the service's HTTP API, embedded store (append-only log, fsync per group
 * of writes):
 * 1. Ingest rate as the store grows: 10,000 small documents, one per request, 8 requests in
 *    flight, journal off (the store alone); documents/s over the last 500 before the store holds
 *    1,000 and before it holds 10,000. Goal: flat, the rate at 10,000 at least 0.8 x the rate at 1,000.
 * 2. Follower catch-up: a standby stopped while the active side acknowledges 1,000 batches, then
 *    restarted on the same data; journal entries applied per second until it is caught up.
 *    Goal: at least 100 entries/s (24/s when every write rewrote the store's file).
 * Exits 1 when a goal is missed.
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

const DOCUMENTS = 10_000;
const MARKS = [1_000, 10_000];
const WINDOW = 500;
const IN_FLIGHT = 8;
const CATCH_UP_BATCHES = 1_000;
const GOALS = { flatRatio: 0.8, catchUpPerSecond: 100 };

const dir = (name: string) => mkdtempSync(join(tmpdir(), `langchain-ha-bench-store-${name}-`));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(env: Record<string, string>, journal: "on" | "off" = "on"): Promise<RunningServer> {
    const result = loadConfig({ PORT: "0", LOG_LEVEL: "silent", REPLICATION_POLL_MS: "100", ...env });
    if (!result.ok) throw new Error(result.errors.join("; "));
    return startServer(result.config, { logger: pino({ level: "silent" }), processMetrics: false, journal });
}

const text = (i: number) => `Document ${i}: the snapshot of shard ${i % 97} in zone ${i % 3} was copied to the disaster recovery bucket at step ${i}; its checksum matched.`;

/** Ingests documents [from, to) one per request with a fixed number in flight; returns when each was acknowledged (ms). */
async function ingest(url: string, from: number, to: number): Promise<number[]> {
    const ackedAt: number[] = new Array<number>(to - from);
    let next = from;
    const worker = async () => {
        while (next < to) {
            const i = next++;
            const response = await postJson(`${url}/v1/documents`, { documents: [{ id: `doc-${i}`, text: text(i) }] });
            if (response.status !== 200) throw new Error(`ingest ${i} answered ${response.status}: ${JSON.stringify(response.body)}`);
            ackedAt[i - from] = performance.now();
        }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    return ackedAt;
}

async function ingestRates(): Promise<number[]> {
    const service = await start({ DATA_DIR: dir("ingest") }, "off");
    try {
        await ingest(service.urls[0], 1_000_000, 1_000_000 + 200); // warm-up, then part of the store
        const began = performance.now();
        const acked = await ingest(service.urls[0], 0, DOCUMENTS);
        console.log(`ingested ${DOCUMENTS} documents in ${((performance.now() - began) / 1000).toFixed(1)} s`);
        // Acknowledgements arrive slightly out of order with several in flight: the window is by count.
        const sorted = [...acked].sort((a, b) => a - b);
        return MARKS.map((mark) => (WINDOW * 1000) / (sorted[mark - 1] - sorted[mark - 1 - WINDOW]));
    } finally {
        await service.shutdown();
    }
}

/** Waits until the standby's position reaches `seq`; returns the position then. */
async function caughtUp(standby: RunningServer, seq: number): Promise<number> {
    const began = performance.now();
    while (performance.now() - began <= 120_000) {
        const { body } = await getJson<ReplicationStatus>(`${standby.urls[0]}/v1/replication`);
        const at = body.position?.seq ?? 0;
        if (at >= seq) return at;
        await sleep(20);
    }
    throw new Error(`the standby did not reach entry ${seq} within 120 s`);
}

async function catchUpRate(): Promise<number> {
    const journals = { a: pathToFileURL(join(dir("a"), "journal")).href, b: pathToFileURL(join(dir("b"), "journal")).href };
    const standbyEnv = { DATA_DIR: dir("standby"), ROLE: "standby", JOURNAL_URL: journals.b, PEER_JOURNAL_URLS: journals.a };
    const active = await start({ DATA_DIR: dir("active"), JOURNAL_URL: journals.a, PEER_JOURNAL_URLS: journals.b });
    let standby = await start(standbyEnv);
    try {
        await ingest(active.urls[0], 0, 10);
        const stoppedAt = await caughtUp(standby, (await getJson<ReplicationStatus>(`${active.urls[0]}/v1/replication`)).body.head!.seq);
        await standby.shutdown();
        await ingest(active.urls[0], 10, 10 + CATCH_UP_BATCHES);
        const target = (await getJson<ReplicationStatus>(`${active.urls[0]}/v1/replication`)).body.head!;
        const restarted = performance.now();
        standby = await start(standbyEnv);
        await caughtUp(standby, target.seq);
        const seconds = (performance.now() - restarted) / 1000;
        const entries = target.seq - stoppedAt;
        console.log(`catch-up: ${entries} journal entries behind, caught up ${seconds.toFixed(2)} s after restart`);
        return entries / seconds;
    } finally {
        await standby.shutdown();
        await active.shutdown();
    }
}

async function main(): Promise<void> {
    const [atThousand, atTenThousand] = await ingestRates();
    const ratio = atTenThousand / atThousand;
    console.log(
        `ingest on the embedded store: ${atThousand.toFixed(0)} docs/s at ${MARKS[0]} documents, ${atTenThousand.toFixed(0)} docs/s at ${MARKS[1]}: ratio ${ratio.toFixed(2)} (goal >= ${GOALS.flatRatio})`,
    );
    const catchUp = await catchUpRate();
    console.log(`follower catch-up on the embedded store: ${catchUp.toFixed(0)} entries/s (goal >= ${GOALS.catchUpPerSecond})`);
    reportGoals("store.bench", [
        { name: `ingest rate ratio ${ratio.toFixed(2)} >= ${GOALS.flatRatio}`, met: ratio >= GOALS.flatRatio },
        { name: `catch-up ${catchUp.toFixed(0)} entries/s >= ${GOALS.catchUpPerSecond}`, met: catchUp >= GOALS.catchUpPerSecond },
    ]);
}

runBench(main);
