import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { serveLoopback, type LoopbackServer } from "../../../infra/dr/local/http";

export interface ServiceState {
    role: "active" | "standby";
    epoch: number;
    fenced: boolean;
    position: { epoch: number; seq: number } | null;
    head: { epoch: number; seq: number } | null;
    lagSeconds: number | null;
    fitForFailover: boolean;
    reason: string;
    healthStatus: number;
    /** Answer 409 to a planned promotion (the old writer's journal is unreachable). */
    plannedConflict: boolean;
    /** Where POST /admin/v1/snapshots writes a set (a directory). */
    snapshotDir?: string;
}

/**
 * A stand-in of one side's service, answering the replication contract's routes from a state
 * the test sets: GET /health, GET /v1/replication, POST /admin/v1/promote, POST /admin/v1/snapshots.
 */
export class ServiceStandIn {
    readonly calls = new Map<string, number>();
    readonly failNext = new Map<string, number>();
    /** Called on a promotion (the test fences the peer here). */
    onPromote?: () => void;
    /** Called before every answer with "METHOD /path" (a test's hook into a run's timeline). */
    onRequest?: (key: string) => void;
    private server?: LoopbackServer;
    private sets = 0;

    constructor(public state: ServiceState, private readonly token: string) {}

    get url(): string {
        return this.server!.url;
    }

    async start(): Promise<this> {
        this.server = await serveLoopback(async (req, body, res) => {
            const send = (status: number, value: unknown) => {
                res.writeHead(status, { "content-type": "application/json" });
                res.end(JSON.stringify(value));
            };
            const key = `${req.method} ${req.url}`;
            this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
            this.onRequest?.(key);
            const failures = this.failNext.get(key) ?? 0;
            if (failures > 0) {
                this.failNext.set(key, failures - 1);
                return send(500, { error: "internal", message: "stand-in fails on purpose" });
            }
            const s = this.state;
            if (req.url?.startsWith("/admin/") && req.headers.authorization !== `Bearer ${this.token}`) return send(401, { error: "unauthorized", message: "bad token" });
            if (req.method === "GET" && req.url === "/health") return send(s.healthStatus, { status: s.healthStatus === 200 ? "ok" : "down", components: { vectorstore: { status: "ok", detail: "3 peers, shards replicated", latencyMs: 1 } } });
            if (req.method === "GET" && req.url === "/v1/replication") {
                return send(200, { role: s.role, epoch: s.epoch, fenced: s.fenced, position: s.position, head: s.head, lagSeconds: s.lagSeconds, lastAppliedAt: null, caughtUp: s.lagSeconds !== null && s.lagSeconds < 5, fitForFailover: s.fitForFailover, reason: s.reason, applier: true, journal: { url: "file:///standin", peers: [] } });
            }
            if (req.method === "POST" && req.url === "/admin/v1/promote") {
                const mode = (JSON.parse(body) as { mode: string }).mode;
                if (s.role === "active" && !s.fenced) return send(200, { epoch: s.epoch, alreadyActive: true });
                if (mode === "planned" && s.plannedConflict) return send(409, { error: "conflict", message: "old writer's journal unreachable" });
                const continuesFrom = s.position ?? { epoch: s.epoch, seq: 0 };
                s.epoch += 1;
                s.role = "active";
                s.fenced = false;
                s.lagSeconds = 0;
                s.healthStatus = 200; // a writer's health no longer depends on replication lag
                this.onPromote?.();
                return send(200, { epoch: s.epoch, continuesFrom, fencedPeer: mode === "planned", appliedDuringPromotion: 2, unreplicatedEntries: mode === "planned" ? 0 : 3 });
            }
            if (req.method === "POST" && req.url === "/admin/v1/snapshots") {
                if (!s.snapshotDir) return send(503, { error: "unavailable", message: "no snapshot location" });
                const setId = `set-${String(++this.sets).padStart(4, "0")}`;
                const points = Buffer.from(`{"id":"p1"}\n{"id":"p2"}\n`);
                fs.mkdirSync(path.join(s.snapshotDir, setId), { recursive: true });
                fs.writeFileSync(path.join(s.snapshotDir, setId, "points-0.jsonl"), points);
                const manifest = { format: 1, setId, createdAt: new Date().toISOString(), journal: s.position ?? { epoch: s.epoch, seq: 0 }, points: 2, files: [{ key: "points-0.jsonl", sha256: createHash("sha256").update(points).digest("hex"), bytes: points.length }], complete: true };
                fs.writeFileSync(path.join(s.snapshotDir, setId, "manifest.json"), JSON.stringify(manifest));
                return send(200, manifest);
            }
            send(404, { error: "not_found", message: `${req.method} ${req.url}` });
        }, { lifetimeMs: 120_000, maxRequests: 5_000 });
        return this;
    }

    stop(): Promise<void> {
        return this.server?.close() ?? Promise.resolve();
    }
}
