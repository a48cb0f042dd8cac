import { plural, SubnetZones, unresolvedReason } from "../../../lib/aws";
import { stackRule } from "../../../lib/rule";
import { asArray, asRecord, asStrings, get, known } from "../../../lib/values";

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
            const spread =
                classicZones.length > 0
                    ? { zones: new Set(classicZones), unresolved: 0 }
                    : mappings.length > 0
                    ? subnets.spreadOf({ ...lb, props: { subnetIds: mappings.map((m) => known(() => asRecord(m)["subnetId"])) }, propertyDependencies: { subnetIds: lb.propertyDependencies["subnetMappings"] ?? [] } }, "subnetIds")
                    : subnets.spreadOf(lb, "subnets");
            const zones = spread.zones;
            if (zones.size < ctx.settings.minAzs && spread.unresolved > 0) {
                ctx.undecided(lb.urn, unresolvedReason(spread, "subnets") ?? "");
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
