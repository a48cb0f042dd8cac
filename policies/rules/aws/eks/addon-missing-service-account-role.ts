import { resourceRule } from "../../../lib/rule";
import { asArray, get, has } from "../../../lib/values";

/** EKS add-ons whose controllers call AWS APIs and so need an AWS identity of their own. */
const ADDONS_CALLING_AWS = ["aws-ebs-csi-driver", "aws-efs-csi-driver", "aws-mountpoint-s3-csi-driver", "aws-fsx-csi-driver"];

export const awsEksAddonMissingServiceAccountRole = resourceRule({
    name: "aws-eks-addon-missing-service-account-role",
    description: "An EKS storage add-on must run with its own IAM role (IRSA or Pod Identity), or on AL2023 nodes it finds no credentials and no volume is ever provisioned.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "eks",
    resource: "addon",
    fix: "Create an IAM role trusted by the cluster's OIDC provider for the add-on's service account (e.g. `kube-system:ebs-csi-controller-sa`) with the driver's managed policy, and set it as `serviceAccountRoleArn` (or declare `podIdentityAssociations`).",
    types: ["aws:eks/addon:Addon"],
    check(r, ctx) {
        const addon = get(r.props, "addonName");
        if (typeof addon !== "string" || !ADDONS_CALLING_AWS.includes(addon)) return;
        if (has(r.props, "serviceAccountRoleArn") || asArray(get(r.props, "podIdentityAssociations")).length > 0) return;
        ctx.report(`EKS add-on "${r.name}" (${addon}) has no IAM role of its own, so its controller falls back to instance metadata that AL2023 nodes do not let pods reach and volumes stay Pending; set serviceAccountRoleArn to an IRSA role with the driver's policy, or podIdentityAssociations.`);
    },
});
