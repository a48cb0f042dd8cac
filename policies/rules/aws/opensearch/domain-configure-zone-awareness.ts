import { plural } from "../../../lib/aws";
import { resourceRule } from "../../../lib/rule";
import { asNumber, get } from "../../../lib/values";

export const awsOpensearchDomainConfigureZoneAwareness = resourceRule({
    name: "aws-opensearch-domain-configure-zone-awareness",
    description: "An OpenSearch (or Elasticsearch) domain must run at least two data nodes with zone awareness, so that its shards have replicas in another AZ.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "opensearch",
    resource: "domain",
    fix: "Set `clusterConfig.zoneAwarenessEnabled: true`, `clusterConfig.zoneAwarenessConfig.availabilityZoneCount` to 2 or 3 and `clusterConfig.instanceCount` to a multiple of it (at least `minAzs`).",
    types: ["aws:opensearch/domain:Domain", "aws:elasticsearch/domain:Domain"],
    check(r, ctx) {
        const count = asNumber(get(r.props, "clusterConfig.instanceCount")) ?? 1; // AWS's default is one data node.
        const aware = get(r.props, "clusterConfig.zoneAwarenessEnabled") === true;
        const zones = aware ? asNumber(get(r.props, "clusterConfig.zoneAwarenessConfig.availabilityZoneCount")) ?? 2 : 1;
        const min = Math.max(2, ctx.settings.minAzs);
        if (count < 2 || !aware || zones < ctx.settings.minAzs) {
            ctx.report(
                `${r.type.startsWith("aws:elasticsearch") ? "Elasticsearch" : "OpenSearch"} domain "${r.name}" runs ${plural(count, "data node")} ${aware ? `over ${plural(zones, "AZ")}` : "without zone awareness"}, so losing one node or AZ loses the shards it holds; set clusterConfig.zoneAwarenessEnabled: true, clusterConfig.zoneAwarenessConfig.availabilityZoneCount to at least ${ctx.settings.minAzs} and clusterConfig.instanceCount to at least ${min}.`,
            );
        }
    },
});
