import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import type { ReplicationStatus } from "../adapters/types";
import type { Io } from "../runner/io";
import { readStackConfig } from "../stack/config";
import { DEFAULT_STACKS_DIR } from "../../plan/stackFile";
import { LocalInstance, freePort } from "./instance";
import { KubeStandIn } from "./kubeStandIn";
import { LoadGenerator, failureWindows, missingDocuments } from "./loadGenerator";
import { Route53StandIn } from "./route53StandIn";

export interface LocalDrillOptions {
    stack: string;
    stacksDir?: string;
    io: Io;
    maxSeconds: number;
    json: boolean;
}

export interface LocalDrillReport {
    stack: string;
    settings: { intervalSeconds: number; failureThreshold: number; ttlSeconds: number; rpoSeconds: number; rtoTargetSeconds: number };
    requests: { attempted: number; failed: number; ingestAttempted: number; ingestFailed: number; askAttempted: number; askFailed: number };
    failureWindows: { fromSeconds: number; toSeconds: number; failed: number }[];
    detectionSeconds: number | null;
    rtoSeconds: { reads: number | null; writes: number | null; failoverCommand: number | null; target: number };
    rpo: { acknowledgedBeforeKill: number; missingOnNewActive: number; targetSeconds: number };
    afterFailback: { acknowledged: number; lost: number };
    passed: boolean;
    problems: string[];
}

const CLI = path.resolve(__dirname, "..", "cli.ts");
const REPO = path.resolve(__dirname, "..", "..", "..");
const DOMAIN = "rag.drill.local";
const TOKEN = "drill-admin-token";

/**
 * The local failover drill: two real service instances (aws active, gcp standby) over their own
 * embedded stores and `file://` journals, a Route53 stand-in probing their /health with the
 * stack's interval, threshold and TTL, a bounded load through the stand-in's answer; then a
 * SIGKILL of the active side, the real `failover` command against the stand-ins, a restart of
 * the old primary and the real `failback`. Everything listens on 127.0.0.1 and stops by itself.
 */
export async function runLocalDrill(o: LocalDrillOptions): Promise<LocalDrillReport> {
    const config = readStackConfig(o.stack, o.stacksDir);
    const settings = {
        intervalSeconds: config.dns.healthCheck.intervalSeconds,
        failureThreshold: config.dns.healthCheck.failureThreshold,
        ttlSeconds: config.dns.ttlSeconds,
        rpoSeconds: config.dr.rpoMinutes * 60,
        rtoTargetSeconds: config.dr.rtoMinutes * 60,
    };
    const say = (line: string) => o.io.err(`drill ${((Date.now() - t00) / 1000).toFixed(1).padStart(6)} s  ${line}`);
    const t00 = Date.now();
    const hardStop = t00 + o.maxSeconds * 1000;
    const lifetimeMs = o.maxSeconds * 1000 + 30_000;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dr-drill-"));
    const stacksDir = path.join(dir, "stacks");
    fs.mkdirSync(stacksDir);
    // The drill records its failover in a copy of the stack file, never in the repository's.
    fs.copyFileSync(path.join(o.stacksDir ?? DEFAULT_STACKS_DIR, `Pulumi.${o.stack}.yaml`), path.join(stacksDir, `Pulumi.${o.stack}.yaml`));
    const journal = (side: string) => pathToFileURL(path.join(dir, `${side}-journal`)).href;
    const snapshots = (side: string) => pathToFileURL(path.join(dir, `${side}-snapshots`)).href;
    const instanceEnv = (side: "aws" | "gcp", role: string): Record<string, string> => ({
        ROLE: role,
        REGION_NAME: side,
        DATA_DIR: path.join(dir, `${side}-data`),
        JOURNAL_URL: journal(side),
        PEER_JOURNAL_URLS: journal(side === "aws" ? "gcp" : "aws"),
        SNAPSHOT_URLS: `${snapshots(side)},${snapshots(side === "aws" ? "gcp" : "aws")}`,
        REPLICATION_MAX_LAG_SECONDS: String(settings.rpoSeconds),
        ADMIN_TOKEN: TOKEN,
        LLM_PRIMARY: "none",
        LLM_SECONDARY: "none",
        LOG_LEVEL: "warn",
        SHUTDOWN_DRAIN_MS: "1000",
    });
    const instances = {
        aws: new LocalInstance("aws", await freePort(), instanceEnv("aws", "active"), path.join(dir, "aws.log")),
        gcp: new LocalInstance("gcp", await freePort(), instanceEnv("gcp", "standby"), path.join(dir, "gcp.log")),
    };
    const ready = (side: "aws" | "gcp") => (_name: string, replicas: number) => (instances[side].alive ? replicas : 0);
    const kube = {
        aws: await new KubeStandIn("langchain-ha", { lifetimeMs, maxRequests: 10_000, ready: ready("aws") }).start(),
        gcp: await new KubeStandIn("langchain-ha", { lifetimeMs, maxRequests: 10_000, ready: ready("gcp") }).start(),
    };
    kube.aws.deployments.set("langchain-app", { replicas: config.app.replicas, readyReplicas: config.app.replicas });
    const standbyReplicas = config.dr.mode === "pilot-light" ? 0 : config.dr.standbyReplicas;
    kube.gcp.deployments.set("langchain-app", { replicas: standbyReplicas, readyReplicas: standbyReplicas });
    const regional = { aws: `aws.${DOMAIN}`, gcp: `gcp.${DOMAIN}` };
    say(`starting aws (active) and gcp (standby)`);
    // Both at once, and before the health checkers start, so no check begins on a dead endpoint.
    await Promise.all([instances.aws.start(60_000), instances.gcp.start(60_000)]);
    const dns = await new Route53StandIn({
        hostedZoneId: "Z0DRILL000001",
        checks: (["aws", "gcp"] as const).map((side) => ({ id: `hc-${side}`, endpoint: `${instances[side].url}/health`, intervalSeconds: settings.intervalSeconds, failureThreshold: settings.failureThreshold })),
        records: [
            { name: DOMAIN, type: "CNAME", setIdentifier: "aws-primary", failover: "PRIMARY", ttl: settings.ttlSeconds, value: regional.aws, healthCheckId: "hc-aws" },
            { name: DOMAIN, type: "CNAME", setIdentifier: "gcp-secondary", failover: "SECONDARY", ttl: settings.ttlSeconds, value: regional.gcp, healthCheckId: "hc-gcp" },
        ],
        probe: true,
        lifetimeMs,
        maxRequests: 20_000,
    }).start();
    const outputsFile = path.join(dir, "outputs.json");
    fs.writeFileSync(outputsFile, JSON.stringify({
        environment: config.environment, activeSide: "aws", drMode: config.dr.mode, domain: DOMAIN, hostedZoneId: "Z0DRILL000001",
        regionalNames: regional, healthCheckIds: { aws: "hc-aws", gcp: "hc-gcp" },
        kubeconfigs: { aws: kube.aws.kubeconfig(), gcp: kube.gcp.kubeconfig() },
        namespace: "langchain-ha", appDeployment: "langchain-app",
        appReplicas: { active: config.app.replicas, standby: standbyReplicas },
        rtoTargetSeconds: settings.rtoTargetSeconds, rpoTargetMinutes: config.dr.rpoMinutes,
        replication: { journals: { aws: journal("aws"), gcp: journal("gcp") }, snapshotSets: { aws: [snapshots("aws"), snapshots("gcp")], gcp: [snapshots("gcp"), snapshots("aws")] } },
    }, null, 2));
    const cliEnv = {
        ...process.env,
        AWS_ENDPOINT_URL_ROUTE_53: dns.url, AWS_ACCESS_KEY_ID: "drill", AWS_SECRET_ACCESS_KEY: "drill", AWS_REGION: "us-east-1",
        DR_SERVICE_URL_AWS: instances.aws.url, DR_SERVICE_URL_GCP: instances.gcp.url, DR_ADMIN_TOKEN: TOKEN,
    };
    const runbook = (args: string[]) => runChild([...args, "--stack", o.stack, "--outputs", outputsFile, "--stacks-dir", stacksDir, "--state-dir", path.join(dir, "state"), "--yes", "--json"], cliEnv, (line) => say(`  | ${line}`), Math.max(5_000, hardStop - Date.now()));

    // A resolver that keeps an answer for the record's TTL, as clients' resolvers do.
    let cached: { name: string; until: number } | undefined;
    const resolve = async () => {
        if (!cached || Date.now() >= cached.until) cached = { name: dns.answer(DOMAIN)[0]!, until: Date.now() + dns.ttlOf(DOMAIN) * 1000 };
        return cached.name;
    };
    const load = new LoadGenerator({ resolve, urlOf: (name) => (name === regional.aws ? instances.aws.url : instances.gcp.url), ingestEveryMs: 250, askEveryMs: 500, maxRequests: o.maxSeconds * 8, timeoutMs: 2_000 });
    const problems: string[] = [];
    const replication = async (side: "aws" | "gcp") => (await (await fetch(`${instances[side].url}/v1/replication`, { signal: AbortSignal.timeout(2_000) })).json()) as ReplicationStatus;
    const waitUntil = async (what: string, check: () => Promise<boolean> | boolean, limitMs: number) => {
        const until = Math.min(Date.now() + limitMs, hardStop);
        while (Date.now() < until) {
            try {
                if (await check()) return true;
            } catch {
                // not yet
            }
            await new Promise((r) => setTimeout(r, 250));
        }
        problems.push(`${what}: not within ${Math.round(limitMs / 1000)} s`);
        say(`${what}: NOT within ${Math.round(limitMs / 1000)} s`);
        return false;
    };

    let killedAt = 0;
    let detectedAt: number | null = null;
    let failoverReport: { rtoSeconds?: number } = {};
    let rpoMissing: string[] = [];
    let ackedBeforeKill: string[] = [];
    let lost: string[] = [];
    let acked: string[] = [];
    try {
        say(`settings of ${o.stack}: health check every ${settings.intervalSeconds} s x ${settings.failureThreshold}, TTL ${settings.ttlSeconds} s, RPO ${settings.rpoSeconds} s, RTO target ${settings.rtoTargetSeconds} s`);
        say(`aws (active) on ${instances.aws.url}, gcp (standby) on ${instances.gcp.url}; Route53 stand-in ${dns.url}`);
        load.start();
        await waitUntil("the gcp follower fit for failover", async () => (await replication("gcp")).fitForFailover, 30_000);
        await new Promise((r) => setTimeout(r, 8_000));
        ackedBeforeKill = load.acknowledged();
        killedAt = Date.now();
        await instances.aws.kill();
        say(`SIGKILL aws after ${ackedBeforeKill.length} acknowledged writes`);
        await waitUntil("Route53 stand-in to mark aws unhealthy", () => !dns.reported("hc-aws"), (settings.intervalSeconds * (settings.failureThreshold + 2)) * 1000);
        detectedAt = Date.now();
        say(`Route53 stand-in: aws unhealthy after ${((detectedAt - killedAt) / 1000).toFixed(1)} s; running: dr failover --to gcp`);
        const failover = await runbook(["failover", "--to", "gcp", "--incident-start", new Date(killedAt).toISOString()]);
        if (failover.code !== 0) throw new Error(`failover exited ${failover.code}`);
        failoverReport = JSON.parse(failover.stdout) as { rtoSeconds?: number };
        ackedBeforeKill = load.acknowledged(killedAt);
        rpoMissing = await missingDocuments(instances.gcp.url, ackedBeforeKill);
        say(`RPO: ${rpoMissing.length} of ${ackedBeforeKill.length} writes acknowledged before the kill missing on gcp`);

        await instances.aws.start();
        say("aws restarted (it follows the newer epoch)");
        await waitUntil("aws to replay the epoch written during the outage", async () => { const r = await replication("aws"); return r.role === "standby" && r.caughtUp; }, 30_000);
        say("running: dr failback");
        const failback = await runbook(["failback"]);
        if (failback.code !== 0) throw new Error(`failback exited ${failback.code}`);
        // Let cached answers expire so clients land back on aws.
        await new Promise((r) => setTimeout(r, Math.min((settings.ttlSeconds + 2) * 1000, Math.max(0, hardStop - Date.now()))));
    } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
        say(`stopped: ${problems.at(-1)}`);
    } finally {
        load.stop();
        await new Promise((r) => setTimeout(r, 2_100)); // in-flight requests end within their timeout
    }
    try {
        acked = load.acknowledged();
        if (instances.aws.alive) {
            lost = await missingDocuments(instances.aws.url, acked);
            say(`after failback: ${lost.length} of ${acked.length} acknowledged writes missing on aws`);
        } else problems.push("aws is not running at the end: lost writes not measured");
    } finally {
        await Promise.all([instances.aws.stop(), instances.gcp.stop()]);
        await Promise.all([dns.stop(), kube.aws.stop(), kube.gcp.stop()]);
    }

    const attempts = load.attempts;
    const firstOkAfter = (kind: "ingest" | "ask") => {
        const ok = attempts.filter((a) => a.kind === kind && a.ok && a.at > killedAt).sort((a, b) => a.at - b.at)[0];
        return ok && killedAt > 0 ? Math.round((ok.at - killedAt) / 100) / 10 : null;
    };
    const count = (kind?: "ingest" | "ask", failed = false) => attempts.filter((a) => (kind === undefined || a.kind === kind) && (!failed || !a.ok)).length;
    const report: LocalDrillReport = {
        stack: o.stack,
        settings,
        requests: { attempted: count(), failed: count(undefined, true), ingestAttempted: count("ingest"), ingestFailed: count("ingest", true), askAttempted: count("ask"), askFailed: count("ask", true) },
        failureWindows: failureWindows(attempts, undefined, 2_000).map((w) => ({ fromSeconds: Math.round((w.from - killedAt) / 100) / 10, toSeconds: Math.round((w.to - killedAt) / 100) / 10, failed: w.failed })),
        detectionSeconds: detectedAt === null ? null : Math.round((detectedAt - killedAt) / 100) / 10,
        rtoSeconds: { reads: firstOkAfter("ask"), writes: firstOkAfter("ingest"), failoverCommand: failoverReport.rtoSeconds ?? null, target: settings.rtoTargetSeconds },
        rpo: { acknowledgedBeforeKill: ackedBeforeKill.length, missingOnNewActive: rpoMissing.length, targetSeconds: settings.rpoSeconds },
        afterFailback: { acknowledged: acked.length, lost: lost.length },
        passed: false,
        problems,
    };
    if (report.rtoSeconds.writes === null || report.rtoSeconds.writes > settings.rtoTargetSeconds) problems.push(`writes did not recover within the RTO target of ${settings.rtoTargetSeconds} s`);
    if (lost.length > 0) problems.push(`${lost.length} acknowledged writes lost after failback (${lost.slice(0, 5).join(", ")})`);
    report.passed = problems.length === 0;
    if (report.passed) fs.rmSync(dir, { recursive: true, force: true });
    else problems.push(`logs and state kept in ${dir}`);
    o.io.out(o.json ? JSON.stringify(report, null, 2) : renderDrill(report));
    return report;
}

export function renderDrill(r: LocalDrillReport): string {
    const s = (v: number | null) => (v === null ? "n/a" : `${v.toFixed(1)} s`);
    return [
        `local drill (${r.stack} settings: check ${r.settings.intervalSeconds} s x ${r.settings.failureThreshold}, TTL ${r.settings.ttlSeconds} s): ${r.passed ? "PASSED" : "FAILED"}`,
        `  requests: ${r.requests.attempted} attempted, ${r.requests.failed} failed (ingest ${r.requests.ingestFailed}/${r.requests.ingestAttempted}, ask ${r.requests.askFailed}/${r.requests.askAttempted})`,
        `  failure windows (s after the kill): ${r.failureWindows.map((w) => `${w.fromSeconds}..${w.toSeconds} (${w.failed} failed)`).join(", ") || "none"}`,
        `  detection by the Route53 stand-in: ${s(r.detectionSeconds)}`,
        `  RTO: reads ${s(r.rtoSeconds.reads)}, writes ${s(r.rtoSeconds.writes)} (failover command's own figure ${s(r.rtoSeconds.failoverCommand)}; target ${r.rtoSeconds.target} s)`,
        `  RPO: ${r.rpo.missingOnNewActive} of ${r.rpo.acknowledgedBeforeKill} acknowledged writes missing on the new active side (target ${r.rpo.targetSeconds} s)`,
        `  after failback: ${r.afterFailback.lost} of ${r.afterFailback.acknowledged} acknowledged writes lost`,
        ...r.problems.map((p) => `  - ${p}`),
    ].join("\n");
}

/** Runs the runbook CLI as the on-call would, streaming its progress lines. */
function runChild(args: string[], env: NodeJS.ProcessEnv, onLine: (line: string) => void, timeoutMs: number): Promise<{ code: number; stdout: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: REPO, env });
        let stdout = "";
        let pending = "";
        const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
        child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
        child.stderr.on("data", (d: Buffer) => {
            pending += d.toString();
            const lines = pending.split("\n");
            pending = lines.pop()!;
            for (const line of lines) if (line.trim() !== "" && !/NodeVersionSupportWarning|node >=22|a\.co\/|trace-warnings|^To continue|^More information|^versions published|^will require/.test(line)) onLine(line);
        });
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code: code ?? 1, stdout });
        });
    });
}
