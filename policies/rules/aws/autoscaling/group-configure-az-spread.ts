import { plural, SubnetZones, unresolvedReason } from "../../../lib/aws";
import { stackRule } from "../../../lib/rule";
import { asNumber, asStrings, get } from "../../../lib/values";

export const awsAutoscalingGroupConfigureAzSpread = stackRule({
    name: "aws-autoscaling-group-configure-az-spread",
    description: "An Auto Scaling group must span at least two AZs with a minimum size of at least two, so that one AZ or instance failure leaves capacity.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "autoscaling",
    resource: "group",
    fix: "Set `vpcZoneIdentifiers` (or `availabilityZones`) to subnets in at least `minAzs` AZs and `minSize` to at least 2.",
    requires: "aws:autoscaling/group:Group",
    check(stack, ctx) {
        const subnets = new SubnetZones(stack);
        stack.each(stack.ofType("aws:autoscaling/group:Group"), ctx, (g) => {
            const explicit = asStrings(get(g.props, "availabilityZones"));
            const spread = explicit.length > 0 ? { zones: new Set(explicit), unresolved: 0 } : subnets.spreadOf(g, "vpcZoneIdentifiers");
            const zones = spread.zones;
            const minSize = asNumber(get(g.props, "minSize")) ?? 0;
            if (zones.size < ctx.settings.minAzs && spread.unresolved > 0) {
                ctx.undecided(g.urn, unresolvedReason(spread, "vpcZoneIdentifiers") ?? "");
                return;
            }
            if (zones.size < ctx.settings.minAzs || minSize < 2) {
                ctx.report(
                    `Auto Scaling group "${g.name}" spans ${plural(zones.size, "AZ")} with minSize ${minSize}, so one AZ or instance failure can leave it without capacity; use subnets in at least ${ctx.settings.minAzs} AZs (vpcZoneIdentifiers) and set minSize to at least 2.`,
                    g.urn,
                );
            }
        });
    },
});
