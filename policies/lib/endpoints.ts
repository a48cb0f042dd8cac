import { K8S } from "./kubernetes";
import { ROUTE53 } from "./route53";
import type { StackView, Subject } from "./rule";
import { asArray, asRecord, asString, knownElements, tryGet, UNKNOWN } from "./values";

/** DNS names compare without case and without the root's trailing dot: `Api.example.com.` is `api.example.com`. */
export function dnsName(name: string): string {
    return name.toLowerCase().replace(/\.$/, "");
}

/** Load balancers whose address (`dnsName`) a record or health check may name. */
export const LOAD_BALANCERS = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer"] as const;

/** Resources that are an endpoint themselves: their address is where traffic ends. */
const ENDPOINT_TYPES: readonly string[] = [
    ...LOAD_BALANCERS,
    K8S.service,
    "aws:ec2/eip:Eip",
    "aws:ec2/instance:Instance",
    "gcp:compute/address:Address",
    "gcp:compute/globalAddress:GlobalAddress",
    "gcp:compute/forwardingRule:ForwardingRule",
    "gcp:compute/globalForwardingRule:GlobalForwardingRule",
];

/** Where a resource of ENDPOINT_TYPES answers: its known hostnames and addresses. */
export function addressesOf(r: Subject): string[] {
    const ingress = asArray(tryGet(r.props, "status.loadBalancer.ingress")).map(asRecord);
    const out = ingress.flatMap((i) => [asString(i["hostname"]), asString(i["ip"])]);
    for (const key of ["dnsName", "publicIp", "publicDns", "address", "ipAddress"]) out.push(asString(tryGet(r.props, key)));
    return out.filter((a): a is string => a !== undefined && a !== "").map(dnsName);
}

/** An address that is an endpoint by its form: an IP, or a name AWS gives an ELB (an A record it manages). */
function isTerminalAddress(host: string): boolean {
    return /^[0-9.]+$/.test(host) || host.includes(":") || /\.elb(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/.test(host);
}

/** What a record or a health check reaches: names and endpoint resources on the way. */
export interface Reach {
    /** Names and addresses passed (dnsName form) and `urn:` tokens of the resources passed. */
    tokens: Set<string>;
    /** Endpoint resources reached. */
    endpoints: Subject[];
    /**
     * Where the chain leaves what the pack can see: a value unknown in preview with no property
     * dependency, or a name that is neither an endpoint of the stack, a record of the stack, nor an
     * endpoint by its form (a name served outside the stack may lead anywhere).
     */
    open: string[];
}

/** Resolves names and resources through the stack's records to the endpoints they reach. */
export class EndpointResolver {
    private readonly recordsByName = new Map<string, Subject[]>();
    private readonly endpointsByAddress = new Map<string, Subject>();
    /**
     * Reaches from a sequence of known names, which is all a walk that meets no unknown value
     * depends on: records and checks that name the same endpoints (every copy of a failover
     * pair names the same failover and regional names) share one walk instead of each
     * walking every record of those names again.
     */
    private readonly fromNames = new Map<string, Reach>();

    constructor(private readonly stack: StackView) {
        for (const r of stack.ofType(ROUTE53.record)) {
            const name = tryGet(r.props, "name");
            // Failover and other routed records are what is judged, not steps of a chain.
            if (typeof name !== "string" || tryGet(r.props, "failoverRoutingPolicies.0") !== undefined) continue;
            const list = this.recordsByName.get(dnsName(name)) ?? [];
            list.push(r);
            this.recordsByName.set(dnsName(name), list);
        }
        for (const e of stack.ofType(...ENDPOINT_TYPES)) for (const a of addressesOf(e)) this.endpointsByAddress.set(a, e);
    }

    /** Where a record sends traffic: its values or alias targets, followed through the stack. Read only: reaches are shared. */
    ofRecord(record: Subject): Reach {
        const names = this.knownNames(record);
        if (names !== undefined) return this.reachOfNames(names);
        const reach: Reach = { tokens: new Set(), endpoints: [], open: [] };
        this.follow(record, reach, 0);
        return reach;
    }

    /** Where a health check probes: its ipAddress when set, else its fqdn, followed through the stack. Read only: reaches are shared. */
    ofHealthCheck(check: Subject): Reach {
        const ip = tryGet(check.props, "ipAddress");
        const prop = ip !== undefined && ip !== null && ip !== "" ? "ipAddress" : "fqdn";
        const v = tryGet(check.props, prop);
        if (v !== UNKNOWN) return this.reachOfNames(typeof v === "string" && v !== "" ? [dnsName(v)] : []);
        const reach: Reach = { tokens: new Set(), endpoints: [], open: [] };
        this.value(check, prop, v, reach, 0);
        return reach;
    }

    /** The names `follow` starts from, in its order; undefined when a value is unknown (the walk then reads the record's dependencies). */
    private knownNames(record: Subject): string[] | undefined {
        const names: string[] = [];
        const add = (v: unknown) => {
            if (v === UNKNOWN) return false;
            if (typeof v === "string" && v !== "") names.push(dnsName(v));
            return true;
        };
        const records = tryGet(record.props, "records");
        const aliases = tryGet(record.props, "aliases");
        if (Array.isArray(aliases) && aliases.length > 0) {
            for (const a of knownElements(aliases)) if (!add(a === UNKNOWN ? UNKNOWN : tryGet(a, "name"))) return undefined;
        } else if (aliases === UNKNOWN) return undefined;
        if (Array.isArray(records)) {
            for (const v of knownElements(records)) if (!add(v)) return undefined;
        } else if (records === UNKNOWN) return undefined;
        return names;
    }

    private reachOfNames(names: string[]): Reach {
        const key = JSON.stringify(names);
        let reach = this.fromNames.get(key);
        if (reach === undefined) {
            reach = { tokens: new Set(), endpoints: [], open: [] };
            for (const n of names) this.name(n, reach, 0);
            this.fromNames.set(key, reach);
        }
        return reach;
    }

    private follow(record: Subject, reach: Reach, depth: number): void {
        const records = tryGet(record.props, "records");
        const aliases = tryGet(record.props, "aliases");
        if (Array.isArray(aliases) && aliases.length > 0) {
            for (const a of knownElements(aliases)) this.value(record, "aliases", a === UNKNOWN ? UNKNOWN : tryGet(a, "name"), reach, depth);
        } else if (aliases === UNKNOWN) {
            this.value(record, "aliases", UNKNOWN, reach, depth);
        }
        if (Array.isArray(records)) {
            for (const v of knownElements(records)) this.value(record, "records", v, reach, depth);
        } else if (records === UNKNOWN) {
            this.value(record, "records", UNKNOWN, reach, depth);
        }
    }

    /** One value of `prop`: a known name, or (unknown in preview) the resources it comes from. */
    private value(owner: Subject, prop: string, v: unknown, reach: Reach, depth: number): void {
        if (typeof v === "string" && v !== "") {
            this.name(dnsName(v), reach, depth);
            return;
        }
        if (v !== UNKNOWN) return;
        const deps = (owner.propertyDependencies[prop] ?? []).map((u) => this.stack.byUrn(u)).filter((s): s is Subject => s !== undefined);
        const useful = deps.filter((d) => ENDPOINT_TYPES.includes(d.type) || d.type === ROUTE53.record);
        if (useful.length === 0) reach.open.push(`${prop} of "${owner.name}" is unknown in preview`);
        for (const d of useful) this.resource(d, reach, depth);
    }

    private name(host: string, reach: Reach, depth: number): void {
        if (reach.tokens.has(host)) return;
        reach.tokens.add(host);
        const endpoint = this.endpointsByAddress.get(host);
        if (endpoint) return this.resource(endpoint, reach, depth);
        const records = this.recordsByName.get(host);
        if (records && depth < 8) {
            for (const r of records) this.follow(r, reach, depth + 1);
            return;
        }
        if (!isTerminalAddress(host)) reach.open.push(`${host} is served outside the stack`);
    }

    private resource(r: Subject, reach: Reach, depth: number): void {
        const token = `urn:${r.urn}`;
        if (reach.tokens.has(token)) return;
        reach.tokens.add(token);
        if (r.type === ROUTE53.record) {
            const name = tryGet(r.props, "name");
            if (typeof name === "string") reach.tokens.add(dnsName(name));
            if (depth < 8) this.follow(r, reach, depth + 1);
            return;
        }
        reach.endpoints.push(r);
        for (const a of addressesOf(r)) reach.tokens.add(a);
    }
}

/** Whether two reaches share a name, an address or an endpoint. */
export function overlaps(a: Reach, b: Reach): boolean {
    const [few, many] = a.tokens.size <= b.tokens.size ? [a.tokens, b.tokens] : [b.tokens, a.tokens];
    for (const t of few) if (many.has(t)) return true;
    return false;
}

/** How a reach reads in a message: its endpoints by name, else the names it ends at. */
export function describeReach(reach: Reach): string {
    if (reach.endpoints.length > 0) return reach.endpoints.map((e) => `"${e.name}"`).join(", ");
    const names = [...reach.tokens].filter((t) => !t.startsWith("urn:"));
    return names.length > 0 ? (names[names.length - 1] as string) : "nothing";
}
