import type * as http from "node:http";
import { serveLoopback, type LoopbackServer } from "./http";

export interface StandInDeployment {
    replicas: number;
    readyReplicas: number;
}

/**
 * A loopback stand-in of the Kubernetes API subset the runbook uses: Deployments and their
 * scale subresource (apps/v1), HorizontalPodAutoscalers (autoscaling/v2) and Secrets (v1), in
 * one namespace. Readiness follows `ready(name, replicas)`: by default every replica is ready
 * at once; the drill makes it depend on the local instance answering.
 */
export class KubeStandIn {
    readonly deployments = new Map<string, StandInDeployment>();
    readonly autoscalers = new Map<string, { minReplicas: number; maxReplicas: number }>();
    readonly secrets = new Map<string, Record<string, string>>();
    readonly calls = new Map<string, number>();
    readonly failNext = new Map<string, number>();
    private server?: LoopbackServer;

    constructor(
        readonly namespace: string,
        private readonly o: { lifetimeMs: number; maxRequests: number; ready?: (name: string, replicas: number) => number },
    ) {}

    async start(): Promise<this> {
        this.server = await serveLoopback((req, body, res) => this.handle(req, body, res), this.o);
        return this;
    }

    stop(): Promise<void> {
        return this.server?.close() ?? Promise.resolve();
    }

    /** A kubeconfig (JSON, as the stack exports it) that points the official client here. */
    kubeconfig(): string {
        const name = "standin";
        return JSON.stringify({
            apiVersion: "v1", kind: "Config",
            // Plain HTTP on loopback: the client refuses it unless TLS verification is explicitly off.
            clusters: [{ name, cluster: { server: this.server!.url, "insecure-skip-tls-verify": true } }],
            contexts: [{ name, context: { cluster: name, user: name, namespace: this.namespace } }],
            "current-context": name,
            users: [{ name, user: { token: "standin-token" } }],
        });
    }

    private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
        const send = (status: number, value: unknown) => {
            res.writeHead(status, { "content-type": "application/json" });
            res.end(JSON.stringify(value));
        };
        const notFound = (kind: string, name: string) => send(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: `${kind} "${name}" not found` });
        const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
        const ns = this.namespace;
        const op = (name: string): boolean => {
            this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
            const failures = this.failNext.get(name) ?? 0;
            if (failures > 0) {
                this.failNext.set(name, failures - 1);
                send(500, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "InternalError", code: 500, message: `stand-in: ${name} fails on purpose` });
                return false;
            }
            return true;
        };
        let m: RegExpExecArray | null;
        if ((m = new RegExp(`^/apis/apps/v1/namespaces/${ns}/deployments/([^/]+)(/scale)?$`).exec(path))) {
            const name = decodeURIComponent(m[1]!);
            const d = this.deployments.get(name);
            if (!d) return notFound("deployments.apps", name);
            const ready = () => { d.readyReplicas = Math.min(d.replicas, this.o.ready ? this.o.ready(name, d.replicas) : d.replicas); };
            if (m[2] && req.method === "PUT") {
                if (!op("replaceDeploymentScale")) return;
                d.replicas = Number((JSON.parse(body) as { spec?: { replicas?: number } }).spec?.replicas ?? d.replicas);
                ready();
            } else if (!op(m[2] ? "readDeploymentScale" : "readDeployment")) return;
            ready();
            if (m[2]) return send(200, { kind: "Scale", apiVersion: "autoscaling/v1", metadata: { name, namespace: ns }, spec: { replicas: d.replicas }, status: { replicas: d.replicas } });
            return send(200, { kind: "Deployment", apiVersion: "apps/v1", metadata: { name, namespace: ns }, spec: { replicas: d.replicas, selector: { matchLabels: { app: name } }, template: {} }, status: { replicas: d.replicas, readyReplicas: d.readyReplicas } });
        }
        if ((m = new RegExp(`^/apis/autoscaling/v2/namespaces/${ns}/horizontalpodautoscalers/([^/]+)$`).exec(path))) {
            const name = decodeURIComponent(m[1]!);
            const hpa = this.autoscalers.get(name);
            if (!hpa) return notFound("horizontalpodautoscalers.autoscaling", name);
            if (req.method === "PUT") {
                if (!op("replaceAutoscaler")) return;
                const spec = (JSON.parse(body) as { spec: { minReplicas: number; maxReplicas: number } }).spec;
                hpa.minReplicas = spec.minReplicas;
                hpa.maxReplicas = spec.maxReplicas;
                const d = this.deployments.get(name);
                if (d && d.replicas < hpa.minReplicas) d.replicas = hpa.minReplicas;
            } else if (!op("readAutoscaler")) return;
            return send(200, { kind: "HorizontalPodAutoscaler", apiVersion: "autoscaling/v2", metadata: { name, namespace: ns }, spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name }, ...hpa } });
        }
        if ((m = new RegExp(`^/api/v1/namespaces/${ns}/secrets/([^/]+)$`).exec(path)) && req.method === "GET") {
            const name = decodeURIComponent(m[1]!);
            if (!op("readSecret")) return;
            const data = this.secrets.get(name);
            if (!data) return notFound("secrets", name);
            return send(200, { kind: "Secret", apiVersion: "v1", metadata: { name, namespace: ns }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])) });
        }
        send(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404, message: `stand-in does not serve ${req.method} ${path}` });
    }
}
