import { resourceRule } from "../../../lib/rule";
import { asStrings, get } from "../../../lib/values";

export const awsEksClusterDisallowOpenEndpoint = resourceRule({
    name: "aws-eks-cluster-disallow-open-endpoint",
    description: "An EKS cluster's API endpoint must be private or public only for listed CIDRs, never for the whole internet.",
    severity: "high",
    enforcementLevel: "advisory",
    provider: "aws",
    service: "eks",
    resource: "cluster",
    fix: "Set `vpcConfig.endpointPublicAccess: false` (reach the API from the VPC), or list the CI runners' and on-call's egress in `vpcConfig.publicAccessCidrs`.",
    types: ["aws:eks/cluster:Cluster"],
    check(r, ctx) {
        if (get(r.props, "vpcConfig.endpointPublicAccess") === false) return;
        const cidrs = asStrings(get(r.props, "vpcConfig.publicAccessCidrs"));
        // AWS defaults an unset list to 0.0.0.0/0.
        if (cidrs.length > 0 && !cidrs.some((c) => c.endsWith("/0"))) return;
        ctx.report(`EKS cluster "${r.name}" serves its API endpoint to the whole internet; set vpcConfig.endpointPublicAccess: false or list the CIDRs that need it in vpcConfig.publicAccessCidrs.`);
    },
});
