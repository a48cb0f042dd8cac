import { plural, SubnetZones } from "../../../lib/aws";
import { stackRule } from "../../../lib/rule";
import { asArray, asRecord, asStrings, get, UNKNOWN } from "../../../lib/values";

export const LB_TYPES = ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer", "aws:elb/loadBalancer:LoadBalancer"] as const;

export const awsLbLoadBalancerConfigureAzSpread = stackRule({
    name: "aws-lb-load-balancer-configure-az-spread",
    description: "A load balancer must have nodes in at least two AZs, so that it keeps serving when one AZ fails.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "lb",
    resource: "load-balancer",
    fix: "Give the load balancer `subnets` (or `subnetMappings`, or a classic `aws.elb.LoadBalancer` its `availabilityZones`) in at least `minAzs` AZs.",
    check(stack, ctx) {
        const subnets = new SubnetZones(stack);
        stack.each(stack.ofType(...LB_TYPES), ctx, (lb) => {
            const mappings = asArray(get(lb.props, "subnetMappings"));
            const classicZones = asStrings(get(lb.props, "availabilityZones")); // A classic ELB in EC2-Classic style names AZs.
            const zones =
                classicZones.length > 0
                    ? new Set(classicZones)
                    : mappings.length > 0
                    ? subnets.zonesOf({ ...lb, props: { subnetIds: mappings.map((m) => asRecord(m)["subnetId"]) } }, "subnetIds")
                    : subnets.zonesOf(lb, "subnets");
            if (zones === UNKNOWN) {
                ctx.undecided(lb.urn, "the AZs of its subnets cannot be resolved to subnets in the stack");
                return;
            }
            if (zones.size < ctx.settings.minAzs) {
                ctx.report(
                    `Load balancer "${lb.name}" has nodes in ${plural(zones.size, "AZ")}, so losing that AZ takes the endpoint down; give it subnets in at least ${ctx.settings.minAzs} AZs.`,
                    lb.urn,
                );
            }
        });
    },
});
