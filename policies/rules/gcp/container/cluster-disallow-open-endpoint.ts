import { resourceRule } from "../../../lib/rule";
import { asArray, asRecord, asString, get } from "../../../lib/values";

export const gcpContainerClusterDisallowOpenEndpoint = resourceRule({
    name: "gcp-container-cluster-disallow-open-endpoint",
    description: "A GKE cluster's control plane must have a private endpoint or master authorized networks that do not include the whole internet.",
    severity: "high",
    enforcementLevel: "advisory",
    provider: "gcp",
    service: "container",
    resource: "cluster",
    fix: "Set `privateClusterConfig.enablePrivateEndpoint: true`, or `masterAuthorizedNetworksConfig.cidrBlocks` listing only the CIDRs that need the API.",
    types: ["gcp:container/cluster:Cluster"],
    check(r, ctx) {
        if (get(r.props, "privateClusterConfig.enablePrivateEndpoint") === true) return;
        const authorized = get(r.props, "masterAuthorizedNetworksConfig");
        const cidrs = asArray(get(authorized, "cidrBlocks")).map((b) => asString(asRecord(b)["cidrBlock"]) ?? "");
        if (authorized !== undefined && !cidrs.some((c) => c.endsWith("/0"))) return;
        ctx.report(`GKE cluster "${r.name}" serves its control plane to the whole internet; set privateClusterConfig.enablePrivateEndpoint: true or masterAuthorizedNetworksConfig.cidrBlocks listing the CIDRs that need it.`);
    },
});
