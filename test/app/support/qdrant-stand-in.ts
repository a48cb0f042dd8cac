import type { ServerResponse } from "node:http";
import { cosine as cosineSimilarity } from "../../../app/src/vectorstore/hybrid-search";
import type { QdrantSchemas as Schemas } from "../../../app/src/vectorstore/qdrant";
import { HttpStandIn, sendJson, type RecordedRequest } from "./http-stand-in";

type SparseVector = Schemas["SparseVector"];

/** A point's named vectors: dense ones as arrays, sparse ones as indices + values. */
type NamedVectors = Record<string, number[] | SparseVector>;

interface Point {
    id: string;
    vector: NamedVectors | number[];
    payload: Record<string, unknown>;
}

interface Collection {
    params: Schemas["CreateCollection"];
    points: Map<string, Point>;
}

type Prefetch = Schemas["Prefetch"];

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
 * status, collection exists/get/create, aliases (list, atomic change; every collection route
 * resolves them), points upsert/retrieve/scroll/delete(by filter), the query API (a nearest
 * query on a named dense or sparse vector, or prefetches fused by `rrf`; sparse scores
 * IDF-weighted when the collection's sparse vector has `modifier: idf`, as Qdrant does), and the
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
    /** Alias name → collection name. */
    readonly aliases = new Map<string, string>();

    constructor() {
        super((request, res) => this.respond(request, res));
    }

    /** A collection by its name or an alias of it. */
    collection(name: string): Collection | undefined {
        return this.collections.get(this.aliases.get(name) ?? name);
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
        if (request.method === "GET" && path === "/aliases") return ok({ aliases: this.aliasList() });
        if (request.method === "POST" && path === "/collections/aliases") return this.changeAliases(request.body as Schemas["ChangeAliasesOperation"], res);
        const match = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
        if (!match) return sendJson(res, 404, { status: { error: `no route ${path}` }, time: 0 });
        const given = decodeURIComponent(match[1]);
        const rest = match[2] ?? "";
        const name = this.aliases.get(given) ?? given;
        const collection = this.collections.get(name);
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (request.method === "GET" && rest === "/aliases") return ok({ aliases: this.aliasList().filter((a) => a.collection_name === name) });

        // Qdrant's exists answers for collections only, not for aliases.
        if (request.method === "GET" && rest === "/exists") return ok({ exists: this.collections.has(given) });
        if (request.method === "PUT" && rest === "") {
            if (this.aliases.has(given)) return sendJson(res, 409, { status: { error: `Alias with name ${given} already exists` }, time: 0 });
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
            const points = body.points as Point[];
            const wrong = points.map((p) => vectorError(collection, p.vector)).find((e) => e !== undefined);
            if (wrong) return sendJson(res, 400, { status: { error: `Wrong input: ${wrong}` }, time: 0 });
            for (const p of points) collection.points.set(String(p.id), p);
            return ok({ operation_id: 1, status: "completed" });
        }
        if (request.method === "POST" && rest === "/points") {
            const ids = (body.ids as unknown[]).map(String);
            const withPayload = body.with_payload !== false;
            return ok(ids.flatMap((id) => {
                const p = collection.points.get(id);
                return p ? [{ id: p.id, payload: withPayload ? p.payload : undefined }] : [];
            }));
        }
        if (request.method === "POST" && rest === "/points/scroll") {
            const all = [...collection.points.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
            const from = body.offset === undefined || body.offset === null ? 0 : all.findIndex((p) => p.id === String(body.offset));
            const limit = Number(body.limit ?? 10);
            const page = all.slice(from, from + limit);
            const withVector = body.with_vector === true;
            return ok({ points: page.map((p) => ({ id: p.id, payload: p.payload, vector: withVector ? p.vector : undefined })), next_page_offset: all[from + limit]?.id ?? null });
        }
        if (request.method === "POST" && rest === "/points/delete") {
            const must = ((body.filter as { must?: Condition[] } | undefined)?.must ?? []) as Condition[];
            for (const [id, p] of collection.points) if (must.every((c) => matches(p, c))) collection.points.delete(id);
            return ok({ operation_id: 2, status: "completed" });
        }
        if (request.method === "POST" && rest === "/points/query") {
            const query = body as Schemas["QueryRequest"];
            const points = this.search(collection, query)
                .slice(0, Number(query.limit ?? 10))
                .map(({ point, score }) => ({ id: point.id, version: 1, score, payload: point.payload }));
            return ok({ points });
        }
        sendJson(res, 404, { status: { error: `no route ${request.method} ${path}` }, time: 0 });
    }

    private aliasList(): Array<{ alias_name: string; collection_name: string }> {
        return [...this.aliases].map(([alias_name, collection_name]) => ({ alias_name, collection_name }));
    }

    /** All actions or none, as Qdrant applies them. */
    private changeAliases(body: Schemas["ChangeAliasesOperation"], res: ServerResponse): void {
        const next = new Map(this.aliases);
        for (const action of body.actions) {
            if ("delete_alias" in action) next.delete(action.delete_alias.alias_name);
            else if ("create_alias" in action) {
                const { alias_name, collection_name } = action.create_alias;
                if (!this.collections.has(collection_name)) return sendJson(res, 404, { status: { error: `Collection ${collection_name} not found` }, time: 0 });
                if (this.collections.has(alias_name)) return sendJson(res, 409, { status: { error: `Collection with name ${alias_name} already exists` }, time: 0 });
                next.set(alias_name, collection_name);
            } else {
                return sendJson(res, 400, { status: { error: "the stand-in does not rename aliases" }, time: 0 });
            }
        }
        this.aliases.clear();
        for (const [alias, target] of next) this.aliases.set(alias, target);
        sendJson(res, 200, { result: true, status: "ok", time: 0.0001 });
    }

    /**
     * A query or prefetch: prefetches first, then `rrf` over their rankings, or a nearest search
     * on the named vector (`using`), restricted to the prefetched points when there are any.
     * Points without the named vector are not candidates, as in Qdrant.
     */
    private search(collection: Collection, query: Schemas["QueryRequest"] | Prefetch): Array<{ point: Point; score: number }> {
        const prefetches = query.prefetch === undefined || query.prefetch === null ? [] : Array.isArray(query.prefetch) ? query.prefetch : [query.prefetch as Prefetch];
        const rankings = prefetches.map((p) => this.search(collection, p).slice(0, Number(p.limit ?? 10)));
        const q = query.query as unknown;
        if (q !== null && typeof q === "object" && "fusion" in q) {
            if ((q as Schemas["FusionQuery"]).fusion !== "rrf") throw new Error("the stand-in fuses by rrf only");
            const fused = new Map<string, { point: Point; score: number }>();
            for (const ranking of rankings) {
                ranking.forEach(({ point }, rank) => {
                    const entry = fused.get(point.id) ?? { point, score: 0 };
                    entry.score += 1 / (rank + RRF_K);
                    fused.set(point.id, entry);
                });
            }
            return [...fused.values()].sort((a, b) => b.score - a.score);
        }
        const using = query.using ?? "";
        const candidates = prefetches.length > 0 ? [...new Map(rankings.flat().map((r) => [r.point.id, r.point])).values()] : [...collection.points.values()];
        const idf = this.idf(collection, using);
        return candidates
            .flatMap((point) => {
                const stored = Array.isArray(point.vector) ? (using === "" ? point.vector : undefined) : point.vector[using];
                if (stored === undefined) return [];
                if (Array.isArray(q) && Array.isArray(stored)) return [{ point, score: cosine(q as number[], stored) }];
                if (isSparse(q) && isSparse(stored)) return [{ point, score: sparseScore(q, stored, idf) }];
                throw new Error(`the stand-in cannot compare the query with vector "${using}"`);
            })
            .filter((r) => !isSparse(q) || r.score > 0)
            .sort((a, b) => b.score - a.score);
    }

    /** Qdrant's IDF for a sparse vector with `modifier: idf`: ln((N - n + 0.5) / (n + 0.5) + 1) per dimension. */
    private idf(collection: Collection, using: string): ((index: number) => number) | undefined {
        const config = (collection.params.sparse_vectors as Record<string, Schemas["SparseVectorParams"]> | undefined | null)?.[using];
        if (config?.modifier !== "idf") return undefined;
        const documentFrequency = new Map<number, number>();
        let total = 0;
        for (const point of collection.points.values()) {
            const vector = Array.isArray(point.vector) ? undefined : point.vector[using];
            if (!isSparse(vector)) continue;
            total++;
            for (const index of vector.indices) documentFrequency.set(index, (documentFrequency.get(index) ?? 0) + 1);
        }
        return (index) => {
            const n = documentFrequency.get(index) ?? 0;
            return Math.log((total - n + 0.5) / (n + 0.5) + 1);
        };
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

/** Why Qdrant would refuse a point's vectors for this collection, or undefined when it would take them. */
function vectorError(collection: Collection, vector: Point["vector"]): string | undefined {
    const dense = collection.params.vectors as Record<string, unknown> | undefined;
    if (Array.isArray(vector)) {
        const size = (dense as { size?: number } | undefined)?.size;
        return size === vector.length ? undefined : `Vector dimension error: expected dim: ${String(size)}, got ${vector.length}`;
    }
    const sparse = (collection.params.sparse_vectors ?? {}) as Record<string, unknown>;
    for (const [name, value] of Object.entries(vector)) {
        if (isSparse(value)) {
            if (!(name in sparse)) return `Not existing vector name error: ${name}`;
            if (value.indices.length !== value.values.length || new Set(value.indices).size !== value.indices.length) return `sparse vector ${name} has mismatched or repeated indices`;
        } else {
            const params = dense?.[name] as { size?: number } | undefined;
            if (!params) return `Not existing vector name error: ${name}`;
            if (params.size !== value.length) return `Vector dimension error: expected dim: ${String(params.size)}, got ${value.length}`;
        }
    }
    return undefined;
}

/** Qdrant's default constant of reciprocal rank fusion. */
const RRF_K = 2;

function isSparse(v: unknown): v is SparseVector {
    return v !== null && typeof v === "object" && "indices" in v && "values" in v;
}

/** Qdrant refuses a query of another width than the collection's; the math is the app's own. */
function cosine(a: number[], b: number[]): number {
    if (a.length !== b.length) throw new Error(`vector width ${a.length} does not match the collection's ${b.length}`);
    return cosineSimilarity(a, b);
}

function sparseScore(query: SparseVector, stored: SparseVector, idf: ((index: number) => number) | undefined): number {
    const weights = new Map(stored.indices.map((index, i) => [index, stored.values[i]]));
    let sum = 0;
    query.indices.forEach((index, i) => {
        const w = weights.get(index);
        if (w !== undefined) sum += query.values[i] * w * (idf ? idf(index) : 1);
    });
    return sum;
}
