import type { ServerResponse } from "node:http";
import { HttpStandIn, sendJson, type RecordedRequest } from "./http-stand-in";

interface StoredLease {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace: string; resourceVersion: string };
    spec: Record<string, unknown>;
}

/**
 * The part of the Kubernetes API a Lease holder uses (coordination.k8s.io/v1 leases: get,
 * create, replace), with the API server's optimistic concurrency: a replace carrying a stale
 * resourceVersion is refused with 409 Conflict, a create of an existing name with 409
 * AlreadyExists.
 */
export class LeaseStandIn extends HttpStandIn {
    readonly leases = new Map<string, StoredLease>();
    private version = 1;

    constructor() {
        super((request, res) => this.respond(request, res));
    }

    kubeconfig(): string {
        return JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            // The client refuses plain HTTP unless TLS checks are explicitly off; the stand-in has no TLS.
            clusters: [{ name: "stand-in", cluster: { server: this.url, "insecure-skip-tls-verify": true } }],
            users: [{ name: "stand-in", user: { token: "stand-in-token" } }],
            contexts: [{ name: "stand-in", context: { cluster: "stand-in", user: "stand-in" } }],
            "current-context": "stand-in",
        });
    }

    private respond(request: RecordedRequest, res: ServerResponse): void {
        const match = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(?:\/([^/?]+))?/.exec(request.path);
        if (!match) return sendJson(res, 404, status(404, "NotFound", `no route ${request.path}`));
        const [, namespace, name] = match;
        const key = `${namespace}/${name ?? ""}`;
        const body = request.body as StoredLease | undefined;
        if (request.method === "GET" && name) {
            const lease = this.leases.get(key);
            return lease ? sendJson(res, 200, lease) : sendJson(res, 404, status(404, "NotFound", `leases "${name}" not found`));
        }
        if (request.method === "POST" && !name && body) {
            const created = `${namespace}/${body.metadata.name}`;
            if (this.leases.has(created)) return sendJson(res, 409, status(409, "AlreadyExists", `leases "${body.metadata.name}" already exists`));
            const lease = this.store(created, body, namespace);
            return sendJson(res, 201, lease);
        }
        if (request.method === "PUT" && name && body) {
            const current = this.leases.get(key);
            if (!current) return sendJson(res, 404, status(404, "NotFound", `leases "${name}" not found`));
            if (body.metadata.resourceVersion !== current.metadata.resourceVersion) {
                return sendJson(res, 409, status(409, "Conflict", "the object has been modified; please apply your changes to the latest version and try again"));
            }
            return sendJson(res, 200, this.store(key, body, namespace));
        }
        sendJson(res, 405, status(405, "MethodNotAllowed", `${request.method} ${request.path}`));
    }

    private store(key: string, body: StoredLease, namespace: string): StoredLease {
        const lease: StoredLease = {
            apiVersion: "coordination.k8s.io/v1",
            kind: "Lease",
            metadata: { ...body.metadata, namespace, resourceVersion: String(++this.version) },
            spec: body.spec,
        };
        this.leases.set(key, lease);
        return lease;
    }
}

function status(code: number, reason: string, message: string) {
    return { kind: "Status", apiVersion: "v1", status: "Failure", message, reason, code };
}
