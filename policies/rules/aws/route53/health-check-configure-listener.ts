import { EndpointResolver } from "../../../lib/endpoints";
import { endpointListeners, HEALTH_PATH_ANNOTATION, HEALTH_PATH_TAG, protocolClash } from "../../../lib/listeners";
import { ROUTE53 } from "../../../lib/route53";
import { stackRule, type Subject } from "../../../lib/rule";
import { asNumber, asString, tryGet, UNKNOWN } from "../../../lib/values";
import { K8S } from "../../../lib/kubernetes";

/** Route53's check types that reach an endpoint, as the protocol they speak; its default ports. */
const KINDS: Record<string, { speaks: "HTTP" | "HTTPS" | "TCP"; port?: number }> = {
    HTTP: { speaks: "HTTP", port: 80 },
    HTTP_STR_MATCH: { speaks: "HTTP", port: 80 },
    HTTPS: { speaks: "HTTPS", port: 443 },
    HTTPS_STR_MATCH: { speaks: "HTTPS", port: 443 },
    TCP: { speaks: "TCP" },
};

function what(e: Subject): string {
    return `${e.type === K8S.service ? "Service" : "load balancer"} "${e.name}"`;
}

export const awsRoute53HealthCheckConfigureListener = stackRule({
    name: "aws-route53-health-check-configure-listener",
    description: "A Route53 health check must probe a port, protocol and path its endpoint serves, or it fails while the endpoint is healthy and DNS fails over from a working primary.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "route53",
    resource: "health-check",
    fix: `Set the check's \`port\` to a port the endpoint listens on (an \`aws.lb.Listener\` of the load balancer, a classic ELB listener, or a port of the LoadBalancer Service), its \`type\` to what is spoken there (HTTPS where the balancer ends TLS, HTTP where it speaks plain HTTP; a TCP pass-through accepts either), and its \`resourcePath\` to the health path the endpoint declares (the Service annotation \`${HEALTH_PATH_ANNOTATION}\`, or the load balancer tag \`${HEALTH_PATH_TAG}\`; this program sets the annotation on its Service).`,
    requires: ROUTE53.healthCheck,
    check(stack, ctx) {
        const resolver = new EndpointResolver(stack);
        const listeners = endpointListeners(stack);
        stack.each(stack.ofType(ROUTE53.healthCheck), ctx, (hc) => {
            const kind = KINDS[asString(tryGet(hc.props, "type")) ?? ""];
            if (kind === undefined) return; // CALCULATED, CLOUDWATCH_METRIC, RECOVERY_CONTROL reach no endpoint.
            const rawPort = tryGet(hc.props, "port");
            const port = rawPort === UNKNOWN ? UNKNOWN : asNumber(rawPort) ?? kind.port;
            const rawPath = tryGet(hc.props, "resourcePath");
            const path = rawPath === UNKNOWN ? UNKNOWN : (asString(rawPath) ?? "/").split("?")[0];
            const reach = resolver.ofHealthCheck(hc);
            const served = reach.endpoints.filter((e) => listeners.has(e.urn));
            if (served.length === 0) {
                if (reach.open.length > 0 && reach.endpoints.length === 0) ctx.undecided(hc.urn, `its endpoint cannot be told: ${reach.open.join("; ")}`);
                return;
            }
            for (const e of served) {
                const { listeners: list, healthPath } = listeners.get(e.urn) as NonNullable<ReturnType<typeof listeners.get>>;
                if (port === UNKNOWN || list === UNKNOWN) {
                    ctx.undecided(hc.urn, port === UNKNOWN ? "its port is unknown in preview" : `the listeners of ${what(e)} are unknown in preview`);
                    continue;
                }
                if (port === undefined) continue; // A TCP check without a port is rejected by Route53 itself.
                const atPort = list.filter((l) => l.port === port);
                if (list.length > 0 && atPort.length === 0) {
                    ctx.report(
                        `Health check "${hc.name}" probes port ${port}, but ${what(e)} listens on ${list.map((l) => `${l.port} (${l.protocol})`).join(", ")} only, so the check fails while the endpoint is healthy and DNS fails over from a working primary; set port to ${list[0]?.port}.`,
                        hc.urn,
                    );
                    continue;
                }
                const clashes = atPort.map((l) => protocolClash(kind.speaks, l.protocol));
                if (atPort.length > 0 && clashes.every((c) => c !== undefined)) {
                    const speaks = atPort[0]?.protocol ?? "?";
                    const fix = speaks === "HTTP" ? "HTTP" : speaks === "UDP" ? "a TCP port" : "HTTPS";
                    ctx.report(
                        `Health check "${hc.name}" probes ${kind.speaks} on port ${port}, but ${what(e)} ${clashes[0]} (${speaks}), so the check fails while the endpoint is healthy and DNS fails over from a working primary; set type to ${fix}.`,
                        hc.urn,
                    );
                    continue;
                }
                if (kind.speaks === "TCP" || healthPath === undefined) continue;
                if (path === UNKNOWN) {
                    ctx.undecided(hc.urn, "its resourcePath is unknown in preview");
                    continue;
                }
                if (path !== healthPath) {
                    ctx.report(
                        `Health check "${hc.name}" probes path ${path}, but ${what(e)} declares its health path ${healthPath} (${e.type === K8S.service ? `annotation ${HEALTH_PATH_ANNOTATION}` : `tag ${HEALTH_PATH_TAG}`}), so the check judges something other than the service's health; set resourcePath to ${healthPath}.`,
                        hc.urn,
                    );
                }
            }
        });
    },
});
