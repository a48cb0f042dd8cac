import { plural } from "../../../lib/aws";
import { stackRule, type Subject } from "../../../lib/rule";
import { indexBy, pushTo, resolveRefs } from "../../../lib/stack";
import { asArray, asString, get, UNKNOWN } from "../../../lib/values";

const CLUSTER = "aws:rds/cluster:Cluster";
const INSTANCE = "aws:rds/clusterInstance:ClusterInstance";

export const awsRdsClusterConfigureMultiAzInstances = stackRule({
    name: "aws-rds-cluster-configure-multi-az-instances",
    description: "An Aurora cluster must have at least two instances in at least two AZs, so that a reader can be promoted when the writer's AZ fails.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "rds",
    resource: "cluster",
    fix: "Declare at least two `aws.rds.ClusterInstance` resources for the cluster, leaving `availabilityZone` unset or setting different AZs.",
    requires: CLUSTER,
    check(stack, ctx) {
        const clusters = stack.ofType(CLUSTER);
        if (clusters.length === 0) {
            return;
        }
        const index = indexBy(clusters, "id", "clusterIdentifier");
        const members = new Map<string, Subject[]>();
        const undecided = new Set<string>();
        stack.each(stack.ofType(INSTANCE), ctx, (i) => {
            const owners = resolveRefs(stack, i, "clusterIdentifier", index, [CLUSTER]);
            if (owners === UNKNOWN) {
                undecided.add(i.urn);
                return;
            }
            for (const c of owners) {
                pushTo(members, c.urn, i);
            }
        });
        if (undecided.size > 0) {
            for (const urn of undecided) {
                ctx.undecided(urn, "its clusterIdentifier does not resolve to a cluster in the stack");
            }
            return;
        }
        stack.each(clusters, ctx, (c) => {
            if (!(asString(get(c.props, "engine")) ?? "aurora").startsWith("aurora")) {
                return; // Multi-AZ DB clusters of plain MySQL/PostgreSQL are multi-AZ by construction.
            }
            const instances = members.get(c.urn) ?? [];
            const pinned = instances.map((i) => asString(get(i.props, "availabilityZone")));
            const zones = new Set(pinned.filter((z): z is string => z !== undefined));
            const allPinned = pinned.every((z) => z !== undefined);
            const clusterZones = asArray(get(c.props, "availabilityZones")).length;
            if (instances.length < 2) {
                ctx.report(
                    `Aurora cluster "${c.name}" has ${plural(instances.length, "instance")}, so losing the writer's AZ leaves no reader to promote; declare at least 2 aws.rds.ClusterInstance resources for it.`,
                    c.urn,
                );
            } else if (allPinned && zones.size < ctx.settings.minAzs) {
                ctx.report(
                    `Aurora cluster "${c.name}" pins all its instances to ${plural(zones.size, "AZ")}, so losing that AZ stops the database; set availabilityZone on its instances to at least ${ctx.settings.minAzs} different AZs.`,
                    c.urn,
                );
            } else if (!allPinned && clusterZones > 0 && clusterZones < ctx.settings.minAzs) {
                ctx.report(
                    `Aurora cluster "${c.name}" is limited to ${plural(clusterZones, "AZ")}, so losing that AZ stops the database; list at least ${ctx.settings.minAzs} AZs in availabilityZones.`,
                    c.urn,
                );
            }
        });
    },
});
