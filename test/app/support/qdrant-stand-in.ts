import type { ServerResponse } from "node:http";
import type { QdrantSchemas as Schemas } from "../../../app/src/vectorstore/qdrant";
import { HttpStandIn, sendJson, type RecordedRequest } from "./http-stand-in";

interface Point {
    id: string;
    vector: number[];
    payload: Record<string, unknown>;
}

interface Collection {
    params: Record<string, unknown> & { vectors: { size: number; distance: string } };
    points: Map<string, Point>;
}

interface Condition {
    key: string;
    match?: { value: unknown };
    range?: { gte?: number };
}

/**
 * "ok"; "error": every call answers 500; "election": no Raft leader (Qdrant reports leader 0,
 * raft-rs's "none"); "timeout" and "unavailable": point operations answer as Qdrant does when a
 * request's timeout passes (408) or no replica of a shard can serve it (503).
 */
export type QdrantMode = "ok" | "error" | "election" | "timeout" | "unavailable";

type ReplicaState = Schemas["ReplicaState"];

/** The server version this stand-in reports; the deployed image's (infra/config/schema.ts). */
export const STAND_IN_QDRANT_VERSION = "1.15.4";

/**
 * The subset of Qdrant's REST API that @qdrant/js-client-rest calls for this service: cluster
 * status, collection exists/get/create, points upsert/retrieve/scroll/delete(by filter)/query, and the
 * collection's cluster info (shard replicas and their states). Responses use Qdrant's envelope
 * ({result, status, time}) and are typed with the client's generated OpenAPI schema, so a
 * change of contract breaks the build. Shard replica states are set per shard by the test
 * (`replicaStates`): this peer holds the first replica of each shard, the others are remote.
 */
export class QdrantStandIn extends HttpStandIn {
    mode: QdrantMode = "ok";
    /** One list per shard: the state of each of its replicas. Three shards, two Active replicas each by default. */
    replicaStates: ReplicaState[][] = [["Active", "Active"], ["Active", "Active"], ["Active", "Active"]];
    readonly collections = new Map<string, Collection>();

    constructor() {
        super((request, res) => this.respond(request, res));
    }

    /** Requests that would have changed the definition of collection `name` (create or recreate). */
    collectionWrites(name: string): RecordedRequest[] {
        return this.requests.filter((r) => r.method === "PUT" && new RegExp(`^/collections/${name}(\\?.*)?$`).test(r.path));
    }

    private respond(request: RecordedRequest, res: ServerResponse): void {
        if (this.mode === "error") {
            sendJson(res, 500, { status: { error: "stand-in failure" }, time: 0 });
            return;
        }
        const path = request.path.split("?")[0];
        if ((this.mode === "timeout" || this.mode === "unavailable") && /\/points(\/|$)/.test(path)) {
            const [status, error] = this.mode === "timeout"
                ? [408, "Timeout error: Operation 'query' timed out after 1 seconds"]
                : [503, "Service unavailable: No active replica of shard 1 can serve the request"];
            return sendJson(res, status, { status: { error }, time: 0.0001 });
        }
        const ok = (result: unknown) => sendJson(res, 200, { result, status: "ok", time: 0.0001 });
        if (request.method === "GET" && path === "/") {
            return sendJson(res, 200, { title: "qdrant - vector search engine", version: STAND_IN_QDRANT_VERSION });
        }
        if (request.method === "GET" && path === "/cluster") return ok(this.cluster());
        const match = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
        if (!match) return sendJson(res, 404, { status: { error: `no route ${path}` }, time: 0 });
        const name = decodeURIComponent(match[1]);
        const rest = match[2] ?? "";
        const collection = this.collections.get(name);
        const body = (request.body ?? {}) as Record<string, unknown>;

        if (request.method === "GET" && rest === "/exists") return ok({ exists: collection !== undefined });
        if (request.method === "PUT" && rest === "") {
            if (collection) return sendJson(res, 409, { status: { error: `Collection ${name} already exists` }, time: 0 });
            this.collections.set(name, { params: body as Collection["params"], points: new Map() });
            return ok(true);
        }
        if (!collection) return sendJson(res, 404, { status: { error: `Collection ${name} not found` }, time: 0 });
        if (request.method === "GET" && rest === "/cluster") return ok(this.collectionCluster(name));
        if (request.method === "GET" && rest === "") {
            return ok({
                status: "green",
                optimizer_status: "ok",
                points_count: collection.points.size,
                segments_count: 1,
                config: { params: collection.params },
                payload_schema: {},
            });
        }
        if (request.method === "PUT" && rest === "/points") {
            for (const p of body.points as Point[]) collection.points.set(String(p.id), p);
            return ok({ operation_id: 1, status: "completed" });
        }
        if (request.method === "POST" && rest === "/points") {
            const ids = (body.ids as unknown[]).map(String);
            return ok(ids.flatMap((id) => {
                const p = collection.points.get(id);
                return p ? [{ id: p.id, payload: p.payload }] : [];
            }));
        }
        if (request.method === "POST" && rest === "/points/scroll") {
            const all = [...collection.points.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
            const from = body.offset === undefined || body.offset === null ? 0 : all.findIndex((p) => p.id === String(body.offset));
            const limit = Number(body.limit ?? 10);
            const page = all.slice(from, from + limit);
            return ok({ points: page.map((p) => ({ id: p.id, payload: p.payload, vector: p.vector })), next_page_offset: all[from + limit]?.id ?? null });
        }
        if (request.method === "POST" && rest === "/points/delete") {
            const must = ((body.filter as { must?: Condition[] } | undefined)?.must ?? []) as Condition[];
            for (const [id, p] of collection.points) if (must.every((c) => matches(p, c))) collection.points.delete(id);
            return ok({ operation_id: 2, status: "completed" });
        }
        if (request.method === "POST" && rest === "/points/query") {
            const query = body.query as number[];
            const points = [...collection.points.values()]
                .map((p) => ({ id: p.id, version: 1, score: dot(query, p.vector), payload: p.payload }))
                .sort((a, b) => b.score - a.score)
                .slice(0, Number(body.limit ?? 10));
            return ok({ points });
        }
        sendJson(res, 404, { status: { error: `no route ${request.method} ${path}` }, time: 0 });
    }

    private cluster(): Schemas["ClusterStatus"] {
        const election = this.mode === "election";
        return {
            status: "enabled",
            peer_id: 1,
            peers: { "1": { uri: "http://qdrant-0:6335/" }, "2": { uri: "http://qdrant-1:6335/" }, "3": { uri: "http://qdrant-2:6335/" } },
            raft_info: { term: 3, commit: 42, pending_operations: 0, leader: election ? 0 : 1, role: election ? "Candidate" : "Leader", is_voter: true },
            consensus_thread_status: { consensus_thread_status: "working", last_update: new Date(0).toISOString() },
            message_send_failures: {},
        };
    }

    private collectionCluster(name: string): Schemas["CollectionClusterInfo"] {
        const local: Schemas["LocalShardInfo"][] = [];
        const remote: Schemas["RemoteShardInfo"][] = [];
        this.replicaStates.forEach((states, shard_id) =>
            states.forEach((state, replica) => {
                if (replica === 0) local.push({ shard_id, points_count: this.collections.get(name)?.points.size ?? 0, state });
                else remote.push({ shard_id, peer_id: replica + 1, state });
            }),
        );
        return { peer_id: 1, shard_count: this.replicaStates.length, local_shards: local, remote_shards: remote, shard_transfers: [] };
    }
}

function matches(point: Point, condition: Condition): boolean {
    const value = point.payload[condition.key];
    if (condition.match) return value === condition.match.value;
    if (condition.range?.gte !== undefined) return typeof value === "number" && value >= condition.range.gte;
    return true;
}

function dot(a: number[], b: number[]): number {
    let sum = 0;
    for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
    return sum;
}
