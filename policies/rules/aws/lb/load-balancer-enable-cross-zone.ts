import { resourceRule } from "../../../lib/rule";
import { get } from "../../../lib/values";
import { CLASSIC_ELB } from "../elb/load-balancer-missing-health-check";

export const awsLbLoadBalancerEnableCrossZone = resourceRule({
    name: "aws-lb-load-balancer-enable-cross-zone",
    description: "A network, gateway or classic load balancer should balance across zones, so that each of its nodes can reach healthy targets in every AZ and not only in its own.",
    severity: "medium",
    enforcementLevel: "advisory",
    provider: "aws",
    service: "lb",
    resource: "load-balancer",
    fix: "Set `enableCrossZoneLoadBalancing: true` on a network or gateway `aws.lb.LoadBalancer` (off by default), or leave `crossZoneLoadBalancing` at its default (true) on an `aws.elb.LoadBalancer`.",
    types: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", CLASSIC_ELB],
    check(r, ctx) {
        if (r.type === CLASSIC_ELB) {
            if (get(r.props, "crossZoneLoadBalancing") === false) {
                ctx.report(
                    `Classic load balancer "${r.name}" has cross-zone load balancing off, so each of its nodes sends traffic only to the instances of its own AZ and a zone with few healthy instances overloads them; set crossZoneLoadBalancing: true.`,
                );
            }
            return;
        }
        const type = get(r.props, "loadBalancerType") ?? "application";
        if (type === "application") return; // Application load balancers always balance across zones.
        if (get(r.props, "enableCrossZoneLoadBalancing") !== true) {
            ctx.report(
                `${type === "network" ? "Network" : "Gateway"} load balancer "${r.name}" has cross-zone load balancing off (its default), so each of its nodes sends traffic only to the targets of its own AZ and one zone with a single healthy target rests on it; set enableCrossZoneLoadBalancing: true.`,
            );
        }
    },
});
