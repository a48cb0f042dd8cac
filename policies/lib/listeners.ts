import { annotation, K8S } from "./kubernetes";
import type { StackView, Subject } from "./rule";
import { indexBy, pushTo, resolveRefs } from "./stack";
import { asArray, asNumber, asRecord, asString, has, tryGet, UNKNOWN } from "./values";

/** The annotation with which a LoadBalancer Service declares the path its deep health answers on. */
export const HEALTH_PATH_ANNOTATION = "langchain-ha.io/health-path";
/** The same declaration as a tag of an AWS load balancer. */
export const HEALTH_PATH_TAG = "health-path";

const LB = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"];
const LISTENERS = ["aws:lb/listener:Listener", "aws:alb/listener:Listener"];
const CLASSIC_ELB = "aws:elb/loadBalancer:LoadBalancer";

const AWS_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-";

/** A port an endpoint accepts connections on, with what it speaks there. */
export interface Listener {
    port: number;
    /** HTTP, HTTPS, TLS (TLS ended at the balancer, any payload), TCP (passed through), UDP. */
    protocol: string;
}

/** What an endpoint serves: its listeners (UNKNOWN when they cannot be told in preview) and declared health path. */
export interface EndpointListeners {
    listeners: Listener[] | typeof UNKNOWN;
    healthPath?: string;
}

function normalProtocol(p: string): string {
    const upper = p.toUpperCase();
    return upper === "SSL" ? "TLS" : upper;
}

/**
 * The listeners of a LoadBalancer Service: TCP (or UDP) on each port, TLS where the AWS
 * in-tree provider ends TLS (an `ssl-cert` annotation and the port in `ssl-ports`, which
 * defaults to every port), HTTP(S) where a classic ELB is told the backend speaks HTTP.
 */
function serviceListeners(svc: Subject): Listener[] | typeof UNKNOWN {
    const ports = tryGet(svc.props, "spec.ports");
    if (ports === UNKNOWN) return UNKNOWN;
    const annotations = asRecord(tryGet(svc.props, "metadata.annotations"));
    const cert = has(annotations, `${AWS_ANNOTATION}ssl-cert`);
    const sslPorts = (annotation(svc.props, `${AWS_ANNOTATION}ssl-ports`) ?? "*").split(",").map((p) => p.trim());
    const nlb = ["nlb", "external"].includes(annotation(svc.props, `${AWS_ANNOTATION}type`) ?? "");
    const httpBackend = ["http", "https"].includes((annotation(svc.props, `${AWS_ANNOTATION}backend-protocol`) ?? "").toLowerCase());
    const out: Listener[] = [];
    for (const p of asArray(ports).map(asRecord)) {
        const port = asNumber(p["port"]);
        if (port === undefined) continue;
        if (asString(p["protocol"])?.toUpperCase() === "UDP") {
            out.push({ port, protocol: "UDP" });
            continue;
        }
        const tls = cert && (sslPorts.includes("*") || sslPorts.includes(String(port)) || sslPorts.includes(asString(p["name"]) ?? "\0"));
        const http = httpBackend && !nlb;
        out.push({ port, protocol: tls ? (http ? "HTTPS" : "TLS") : http ? "HTTP" : "TCP" });
    }
    return out;
}

/** The listeners and declared health path of every endpoint resource of the stack that has them, by URN. */
export function endpointListeners(stack: StackView): Map<string, EndpointListeners> {
    const out = new Map<string, EndpointListeners>();
    const lbs = stack.ofType(...LB);
    const index = indexBy(lbs, "arn", "id");
    const byLb = new Map<string, Listener[]>();
    const unknownOf = new Set<string>();
    let unlinked = false;
    for (const l of stack.ofType(...LISTENERS)) {
        const owners = resolveRefs(stack, l, "loadBalancerArn", index, LB);
        if (owners === UNKNOWN) {
            unlinked = true;
            continue;
        }
        const port = tryGet(l.props, "port");
        const protocol = tryGet(l.props, "protocol");
        for (const lb of owners) {
            if (port === UNKNOWN || protocol === UNKNOWN) unknownOf.add(lb.urn);
            // The API's defaults: port 80 and HTTP on an ALB; an NLB listener names both.
            else pushTo(byLb, lb.urn, { port: asNumber(port) ?? 80, protocol: normalProtocol(asString(protocol) ?? "HTTP") });
        }
    }
    for (const lb of lbs) {
        const listeners = byLb.get(lb.urn);
        const known = listeners !== undefined && !unknownOf.has(lb.urn);
        out.set(lb.urn, { listeners: known ? listeners : unlinked || unknownOf.has(lb.urn) ? UNKNOWN : [], healthPath: asString(tryGet(lb.props, `tags.${HEALTH_PATH_TAG}`)) });
    }
    for (const elb of stack.ofType(CLASSIC_ELB)) {
        const raw = tryGet(elb.props, "listeners");
        const listeners = raw === UNKNOWN ? UNKNOWN : asArray(raw).map(asRecord).flatMap((l) => {
            const port = asNumber(l["lbPort"]);
            return port === undefined ? [] : [{ port, protocol: normalProtocol(asString(l["lbProtocol"]) ?? "TCP") }];
        });
        out.set(elb.urn, { listeners, healthPath: asString(tryGet(elb.props, `tags.${HEALTH_PATH_TAG}`)) });
    }
    for (const svc of stack.ofType(K8S.service)) {
        if (tryGet(svc.props, "spec.type") !== "LoadBalancer") continue;
        out.set(svc.urn, { listeners: serviceListeners(svc), healthPath: annotation(svc.props, HEALTH_PATH_ANNOTATION) });
    }
    return out;
}

/** Why a check speaking `check` cannot succeed against `listener`, or undefined when it can. */
export function protocolClash(check: "HTTP" | "HTTPS" | "TCP", listener: string): string | undefined {
    if (listener === "UDP") return "accepts UDP only";
    if (check === "HTTPS" && listener === "HTTP") return "speaks plain HTTP there";
    if (check === "HTTP" && (listener === "HTTPS" || listener === "TLS")) return "ends TLS there";
    return undefined;
}
