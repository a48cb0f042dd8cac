import { plural, SubnetZones } from "../../../lib/aws";
import { stackRule } from "../../../lib/rule";
import { asNumber, get, tryGet, UNKNOWN } from "../../../lib/values";

const CLUSTER = "aws:msk/cluster:Cluster";

export const awsMskClusterConfigureAzSpread = stackRule({
    name: "aws-msk-cluster-configure-az-spread",
    description: "An MSK cluster must place its brokers in at least two AZs with at least one broker per AZ, so that partitions keep in-sync replicas when an AZ fails.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "msk",
    resource: "cluster",
    fix: "Set `brokerNodeGroupInfo.clientSubnets` to subnets in at least `minAzs` (3 recommended) AZs and `numberOfBrokerNodes` to a multiple of that count; use a replication factor of at least 3.",
    requires: CLUSTER,
    check(stack, ctx) {
        const subnets = new SubnetZones(stack);
        stack.each(stack.ofType(CLUSTER), ctx, (c) => {
            const brokers = asNumber(get(c.props, "numberOfBrokerNodes"));
            const zones = subnets.zonesOf({ ...c, props: { subnets: tryGet(c.props, "brokerNodeGroupInfo.clientSubnets") }, propertyDependencies: { subnets: c.propertyDependencies["brokerNodeGroupInfo"] ?? [] } }, "subnets");
            if (zones === UNKNOWN) {
                ctx.undecided(c.urn, "the AZs of its brokerNodeGroupInfo.clientSubnets cannot be resolved to subnets in the stack");
                return;
            }
            if (zones.size < ctx.settings.minAzs || (brokers !== undefined && brokers < ctx.settings.minAzs)) {
                ctx.report(
                    `MSK cluster "${c.name}" places ${brokers === undefined ? "its brokers" : plural(brokers, "broker")} in ${plural(zones.size, "AZ")}, so losing one AZ or broker leaves partitions without an in-sync replica; set brokerNodeGroupInfo.clientSubnets to subnets in at least ${ctx.settings.minAzs} AZs and numberOfBrokerNodes to a multiple of that count.`,
                    c.urn,
                );
            }
        });
    },
});
