import { plural } from "./aws";
import type { RuleContext, StackView, Subject } from "./rule";
import { indexBy, pushTo, resolveRefs } from "./stack";
import { asArray, asString, get, UNKNOWN } from "./values";

/** A database service whose cluster is served by separate instance resources (DocumentDB, Neptune). */
export interface MemberCluster {
    /** For messages, e.g. "DocumentDB". */
    label: string;
    cluster: string;
    instance: string;
    /** The SDK class for messages, e.g. "aws.docdb.ClusterInstance". */
    instanceClass: string;
}

/**
 * Reports clusters with fewer than two instances, or whose instances are all pinned to fewer
 * than `minAzs` AZs: with one instance, or all in one AZ, losing that AZ leaves no replica to
 * promote. An instance whose clusterIdentifier cannot be resolved leaves the check undecided.
 */
export function checkMemberClusters(stack: StackView, ctx: RuleContext, kind: MemberCluster): void {
    const clusters = stack.ofType(kind.cluster);
    if (clusters.length === 0) return;
    const index = indexBy(clusters, "id", "clusterIdentifier");
    const members = new Map<string, Subject[]>();
    const undecided: string[] = [];
    stack.each(stack.ofType(kind.instance), ctx, (i) => {
        const owners = resolveRefs(stack, i, "clusterIdentifier", index, [kind.cluster]);
        if (owners === UNKNOWN) undecided.push(i.urn);
        else for (const c of owners) pushTo(members, c.urn, i);
    });
    if (undecided.length > 0) {
        for (const urn of undecided) ctx.undecided(urn, "its clusterIdentifier does not resolve to a cluster in the stack");
        return;
    }
    stack.each(clusters, ctx, (c) => {
        const instances = members.get(c.urn) ?? [];
        const pinned = instances.map((i) => asString(get(i.props, "availabilityZone")));
        const zones = new Set(pinned.filter((z): z is string => z !== undefined));
        const clusterZones = asArray(get(c.props, "availabilityZones")).length;
        const what = `${kind.label} cluster "${c.name}"`;
        if (instances.length < 2) {
            ctx.report(
                `${what} has ${plural(instances.length, "instance")}, so losing it or its AZ leaves no replica to promote; declare at least 2 ${kind.instanceClass} resources for it.`,
                c.urn,
            );
        } else if (pinned.every((z) => z !== undefined) && zones.size < ctx.settings.minAzs) {
            ctx.report(
                `${what} pins all its instances to ${plural(zones.size, "AZ")}, so losing that AZ stops the database; set availabilityZone on its instances to at least ${ctx.settings.minAzs} different AZs.`,
                c.urn,
            );
        } else if (clusterZones > 0 && clusterZones < ctx.settings.minAzs) {
            ctx.report(
                `${what} is limited to ${plural(clusterZones, "AZ")}, so losing that AZ stops the database; list at least ${ctx.settings.minAzs} AZs in availabilityZones.`,
                c.urn,
            );
        }
    });
}
