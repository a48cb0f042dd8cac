import type * as http from "node:http";
import { serveLoopback, type LoopbackServer } from "./http";

/** One health check as Route53 keeps it. */
export interface StandInHealthCheck {
    id: string;
    /** What the checkers probe (a loopback URL ending in the health path). */
    endpoint: string;
    intervalSeconds: number;
    failureThreshold: number;
    inverted: boolean;
    disabled: boolean;
}

export interface StandInRecord {
    name: string;
    type: string;
    setIdentifier: string;
    failover: "PRIMARY" | "SECONDARY";
    ttl: number;
    value: string;
    healthCheckId: string;
}

export interface Route53StandInOptions {
    hostedZoneId: string;
    checks: Omit<StandInHealthCheck, "inverted" | "disabled">[];
    records: StandInRecord[];
    /** Checker regions reported in observations (all see the same loopback result). */
    regions?: string[];
    lifetimeMs: number;
    maxRequests: number;
    /** Probe the endpoints (the drill); tests set health by hand instead. */
    probe: boolean;
}

const NS = "https://route53.amazonaws.com/doc/2013-04-01/";
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fqdn = (n: string) => (n.endsWith(".") ? n : `${n}.`);
const tag = (xml: string, name: string) => new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1];

/**
 * A loopback stand-in of Route53 with its failover semantics: health checkers probe each
 * endpoint every `intervalSeconds` and flip its status after `failureThreshold` consecutive
 * failures or successes (2xx/3xx within 4 s is a success; Inverted flips the result; Disabled
 * reads healthy); the name answers the PRIMARY while it is healthy, else a healthy SECONDARY,
 * else the PRIMARY. It speaks the subset of the Route53 REST/XML API the runbook's adapter
 * uses, so the adapter runs unchanged against it (AWS_ENDPOINT_URL_ROUTE_53).
 */
export class Route53StandIn {
    readonly checks = new Map<string, StandInHealthCheck & { healthy: boolean; streak: number; checkedAt: Date }>();
    records: StandInRecord[];
    /** Requests seen, by operation, for tests that count side effects. */
    readonly calls = new Map<string, number>();
    /** Operations to fail with a 500 the next n times (a crash of that step). */
    readonly failNext = new Map<string, number>();
    private server?: LoopbackServer;
    private timers: NodeJS.Timeout[] = [];
    private changes = 0;

    constructor(private readonly o: Route53StandInOptions) {
        for (const c of o.checks) this.checks.set(c.id, { ...c, inverted: false, disabled: false, healthy: true, streak: 0, checkedAt: new Date() });
        this.records = o.records.map((r) => ({ ...r, name: fqdn(r.name) }));
    }

    get url(): string {
        if (!this.server) throw new Error("Route53 stand-in not started");
        return this.server.url;
    }

    async start(): Promise<this> {
        this.server = await serveLoopback((req, body, res) => this.handle(req, body, res), { lifetimeMs: this.o.lifetimeMs, maxRequests: this.o.maxRequests });
        if (this.o.probe) {
            for (const check of this.checks.values()) {
                const timer = setInterval(() => void this.probeOnce(check.id), check.intervalSeconds * 1000);
                timer.unref();
                this.timers.push(timer);
                void this.probeOnce(check.id);
            }
        }
        return this;
    }

    async stop(): Promise<void> {
        for (const t of this.timers) clearInterval(t);
        await this.server?.close();
    }

    /** Sets a check's raw status by hand (tests), as if every checker agreed. */
    setHealthy(id: string, healthy: boolean): void {
        const check = this.checks.get(id)!;
        check.healthy = healthy;
        check.checkedAt = new Date();
    }

    /** What the check reports after Inverted and Disabled. */
    reported(id: string): boolean {
        const c = this.checks.get(id)!;
        if (c.disabled) return true;
        return c.inverted ? !c.healthy : c.healthy;
    }

    /** The answer for `name` now, by Route53's failover rule. */
    answer(name: string): string[] {
        const sets = this.records.filter((r) => r.name === fqdn(name));
        const primary = sets.find((r) => r.failover === "PRIMARY");
        const secondary = sets.find((r) => r.failover === "SECONDARY");
        if (!primary) return secondary ? [secondary.value] : [];
        if (this.reported(primary.healthCheckId) || !secondary) return [primary.value];
        return this.reported(secondary.healthCheckId) ? [secondary.value] : [primary.value];
    }

    ttlOf(name: string): number {
        return this.records.find((r) => r.name === fqdn(name))?.ttl ?? 60;
    }

    private readonly probing = new Set<string>();

    private async probeOnce(id: string): Promise<void> {
        const check = this.checks.get(id)!;
        // One probe per check at a time: a slow answer is not counted twice.
        if (this.probing.has(id)) return;
        this.probing.add(id);
        let ok = false;
        try {
            const response = await fetch(check.endpoint, { signal: AbortSignal.timeout(4_000) });
            ok = response.status >= 200 && response.status < 400;
            await response.arrayBuffer();
        } catch {
            ok = false;
        } finally {
            this.probing.delete(id);
        }
        // A run of `failureThreshold` results against the current status flips it.
        if (ok === check.healthy) check.streak = 0;
        else if (++check.streak >= check.failureThreshold) {
            check.healthy = ok;
            check.streak = 0;
        }
        check.checkedAt = new Date();
    }

    private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const path = url.pathname.replace(/^\/2013-04-01/, "");
        const send = (status: number, xml: string) => {
            res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": `standin-${Date.now()}` });
            res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
        };
        const error = (status: number, code: string, message: string) =>
            send(status, `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>standin</RequestId></ErrorResponse>`);
        const op = (name: string): boolean => {
            this.calls.set(name, (this.calls.get(name) ?? 0) + 1);
            const failures = this.failNext.get(name) ?? 0;
            if (failures > 0) {
                this.failNext.set(name, failures - 1);
                error(500, "InternalFailure", `stand-in: ${name} fails on purpose`);
                return false;
            }
            return true;
        };
        let m: RegExpExecArray | null;
        if (req.method === "GET" && (m = /^\/healthcheck\/([^/]+)\/status$/.exec(path))) {
            if (!op("GetHealthCheckStatus")) return;
            const check = this.checks.get(decodeURIComponent(m[1]!));
            if (!check) return error(404, "NoSuchHealthCheck", `no health check ${m[1]}`);
            const status = this.reported(check.id) ? "Success: HTTP Status Code 200, OK" : "Failure: Connection refused";
            const observations = (this.o.regions ?? ["us-east-1", "eu-west-1", "ap-southeast-1"]).map((region) =>
                `<HealthCheckObservation><Region>${region}</Region><IPAddress>127.0.0.1</IPAddress><StatusReport><Status>${status}</Status><CheckedTime>${check.checkedAt.toISOString()}</CheckedTime></StatusReport></HealthCheckObservation>`).join("");
            return send(200, `<GetHealthCheckStatusResponse xmlns="${NS}"><HealthCheckObservations>${observations}</HealthCheckObservations></GetHealthCheckStatusResponse>`);
        }
        if (req.method === "GET" && (m = /^\/healthcheck\/([^/]+)$/.exec(path))) {
            if (!op("GetHealthCheck")) return;
            const check = this.checks.get(decodeURIComponent(m[1]!));
            if (!check) return error(404, "NoSuchHealthCheck", `no health check ${m[1]}`);
            const endpoint = new URL(check.endpoint);
            return send(200, `<GetHealthCheckResponse xmlns="${NS}"><HealthCheck><Id>${check.id}</Id><CallerReference>${check.id}</CallerReference><HealthCheckConfig><IPAddress>127.0.0.1</IPAddress><Port>${endpoint.port}</Port><Type>HTTP</Type><ResourcePath>${esc(endpoint.pathname)}</ResourcePath><RequestInterval>${check.intervalSeconds}</RequestInterval><FailureThreshold>${check.failureThreshold}</FailureThreshold><Inverted>${check.inverted}</Inverted><Disabled>${check.disabled}</Disabled></HealthCheckConfig><HealthCheckVersion>1</HealthCheckVersion></HealthCheck></GetHealthCheckResponse>`);
        }
        if ((m = /^\/hostedzone\/([^/]+)\/rrset\/?$/.exec(path))) {
            if (decodeURIComponent(m[1]!) !== this.o.hostedZoneId) return error(404, "NoSuchHostedZone", `no hosted zone ${m[1]}`);
            if (req.method === "GET") {
                if (!op("ListResourceRecordSets")) return;
                const start = fqdn(url.searchParams.get("name") ?? "");
                const sets = this.records.filter((r) => r.name >= start).sort((a, b) => a.name.localeCompare(b.name) || a.setIdentifier.localeCompare(b.setIdentifier));
                return send(200, `<ListResourceRecordSetsResponse xmlns="${NS}"><ResourceRecordSets>${sets.map(recordXml).join("")}</ResourceRecordSets><IsTruncated>false</IsTruncated><MaxItems>${url.searchParams.get("maxitems") ?? "100"}</MaxItems></ListResourceRecordSetsResponse>`);
            }
            if (req.method === "POST") {
                if (!op("ChangeResourceRecordSets")) return;
                const changes = [...body.matchAll(/<Change>([\s\S]*?)<\/Change>/g)].map((c) => ({ action: tag(c[1]!, "Action"), record: parseRecord(c[1]!) }));
                // All or nothing, as Route53 applies a change batch.
                const next = [...this.records];
                for (const { action, record } of changes) {
                    const i = next.findIndex((r) => r.name === record.name && r.type === record.type && r.setIdentifier === record.setIdentifier);
                    if (action === "DELETE") {
                        if (i < 0 || recordXml(next[i]!) !== recordXml(record)) return error(400, "InvalidChangeBatch", `Tried to delete resource record set [name='${record.name}', type='${record.type}', set-identifier='${record.setIdentifier}'] but the values provided do not match the current values`);
                        next.splice(i, 1);
                    } else if (action === "CREATE") {
                        if (i >= 0) return error(400, "InvalidChangeBatch", `Tried to create resource record set [name='${record.name}', type='${record.type}', set-identifier='${record.setIdentifier}'] but it already exists`);
                        next.push(record);
                    } else if (action === "UPSERT") {
                        if (i >= 0) next[i] = record; else next.push(record);
                    }
                }
                if (next.filter((r) => r.failover === "PRIMARY" && r.name === changes[0]?.record.name).length > 1) return error(400, "InvalidChangeBatch", "two PRIMARY records for one name");
                this.records = next;
                const id = `C${++this.changes}`;
                return send(200, `<ChangeResourceRecordSetsResponse xmlns="${NS}"><ChangeInfo><Id>/change/${id}</Id><Status>PENDING</Status><SubmittedAt>${new Date().toISOString()}</SubmittedAt></ChangeInfo></ChangeResourceRecordSetsResponse>`);
            }
        }
        if (req.method === "GET" && (m = /^\/change\/([^/]+)$/.exec(path))) {
            if (!op("GetChange")) return;
            return send(200, `<GetChangeResponse xmlns="${NS}"><ChangeInfo><Id>/change/${m[1]}</Id><Status>INSYNC</Status><SubmittedAt>${new Date().toISOString()}</SubmittedAt></ChangeInfo></GetChangeResponse>`);
        }
        if (req.method === "GET" && path === "/testdnsanswer") {
            if (!op("TestDNSAnswer")) return;
            const name = url.searchParams.get("recordname") ?? "";
            const data = this.answer(name).map((v) => `<RecordDataEntry>${esc(v)}</RecordDataEntry>`).join("");
            return send(200, `<TestDNSAnswerResponse xmlns="${NS}"><Nameserver>ns-standin</Nameserver><RecordName>${esc(name)}</RecordName><RecordType>CNAME</RecordType><RecordData>${data}</RecordData><ResponseCode>NOERROR</ResponseCode><Protocol>UDP</Protocol></TestDNSAnswerResponse>`);
        }
        error(400, "InvalidInput", `stand-in does not serve ${req.method} ${path}`);
    }
}

function recordXml(r: StandInRecord): string {
    return `<ResourceRecordSet><Name>${esc(r.name)}</Name><Type>${r.type}</Type><SetIdentifier>${esc(r.setIdentifier)}</SetIdentifier><Failover>${r.failover}</Failover><TTL>${r.ttl}</TTL><ResourceRecords><ResourceRecord><Value>${esc(r.value)}</Value></ResourceRecord></ResourceRecords><HealthCheckId>${esc(r.healthCheckId)}</HealthCheckId></ResourceRecordSet>`;
}

function parseRecord(xml: string): StandInRecord {
    return {
        name: fqdn(tag(xml, "Name") ?? ""),
        type: tag(xml, "Type") ?? "",
        setIdentifier: tag(xml, "SetIdentifier") ?? "",
        failover: (tag(xml, "Failover") ?? "PRIMARY") as StandInRecord["failover"],
        ttl: Number(tag(xml, "TTL") ?? 0),
        value: tag(tag(xml, "ResourceRecord") ?? "", "Value") ?? "",
        healthCheckId: tag(xml, "HealthCheckId") ?? "",
    };
}
