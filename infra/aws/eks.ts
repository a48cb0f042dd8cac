import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "./iam";

export interface NodesPerZone {
    min: number;
    desired: number;
    max: number;
}

export interface EksClusterArgs {
    /** The cluster's name in EKS; the subnets' discovery tags must carry the same name. */
    clusterName: string;
    /** Kubernetes version, e.g. "1.33". */
    version: string;
    /** Private subnets, one per zone, in the same order as `availabilityZones`. At least 2. */
    privateSubnetIds: pulumi.Input<string>[];
    availabilityZones: string[];
    instanceTypes: string[];
    capacityType: "ON_DEMAND" | "SPOT";
    diskSizeGb: number;
    /** Node counts of each zone's node group; `min` must be at least 1. */
    nodesPerZone: NodesPerZone;
    /** CIDRs that may reach the public API endpoint. */
    publicAccessCidrs: string[];
    /** IAM principals given cluster-admin through EKS access entries. Defaults to none. */
    adminPrincipalArns?: string[];
    tags?: Record<string, string>;
}

const NODE_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
];

/** Throws on args that would leave a zone without nodes or the cluster in one zone. */
export function validateEksClusterArgs(name: string, args: EksClusterArgs): void {
    if (args.privateSubnetIds.length !== args.availabilityZones.length) {
        throw new Error(`EksCluster ${name}: ${args.privateSubnetIds.length} subnets for ${args.availabilityZones.length} zones; give one subnet per zone`);
    }
    if (args.availabilityZones.length < 2) throw new Error(`EksCluster ${name}: needs subnets in at least 2 zones`);
    const { min, desired, max } = args.nodesPerZone;
    if (min < 1) throw new Error(`EksCluster ${name}: nodesPerZone.min must be at least 1`);
    if (!(min <= desired && desired <= max)) throw new Error(`EksCluster ${name}: nodesPerZone needs min <= desired <= max, got ${min}/${desired}/${max}`);
}

/**
 * An EKS cluster over the private subnets with one managed node group per availability zone
 * (min >= 1 each), so every zone always has a node for its Qdrant replica and the cluster
 * autoscaler can grow zones independently; secrets envelope-encrypted with a KMS key;
 * zonal shift enabled so an impaired zone can be drained; an OIDC provider for service
 * account roles.
 */
export class EksCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly clusterArn: pulumi.Output<string>;
    /** The security group EKS creates for the control plane and nodes (what in-VPC scrapers join). */
    public readonly clusterSecurityGroupId: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly certificateAuthority: pulumi.Output<string>;
    public readonly oidcProviderArn: pulumi.Output<string>;
    /** The OIDC issuer without its scheme, as used in IAM condition keys. */
    public readonly oidcIssuerHost: pulumi.Output<string>;
    public readonly nodeGroupNames: pulumi.Output<string>[];

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        validateEksClusterArgs(name, args);
        super("langchain-ha:aws:EksCluster", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags ?? {};

        const clusterRole = new aws.iam.Role(`${name}-cluster-role`, { assumeRolePolicy: serviceTrustPolicy("eks.amazonaws.com"), tags }, parent);
        const clusterPolicy = new aws.iam.RolePolicyAttachment(`${name}-cluster-policy`, {
            role: clusterRole.name,
            policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        }, parent);
        const secretsKey = new aws.kms.Key(`${name}-secrets-key`, {
            description: `Envelope encryption of ${name}'s Kubernetes secrets`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            tags,
        }, parent);

        const cluster = new aws.eks.Cluster(`${name}-cluster`, {
            name: args.clusterName,
            version: args.version,
            roleArn: clusterRole.arn,
            vpcConfig: {
                subnetIds: args.privateSubnetIds,
                endpointPrivateAccess: true,
                endpointPublicAccess: true,
                publicAccessCidrs: args.publicAccessCidrs,
            },
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
            encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
            enabledClusterLogTypes: ["api", "audit", "authenticator"],
            zonalShiftConfig: { enabled: true },
            tags,
        }, { parent: this, dependsOn: [clusterPolicy] });

        const nodeRole = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"), tags }, parent);
        const nodePolicies = NODE_POLICIES.map((policyArn) =>
            new aws.iam.RolePolicyAttachment(`${name}-node-${policyArn.split("/").pop()}`, { role: nodeRole.name, policyArn }, parent));

        this.nodeGroupNames = args.availabilityZones.map((az, i) => {
            const group = new aws.eks.NodeGroup(`${name}-nodes-${az}`, {
                clusterName: cluster.name,
                nodeRoleArn: nodeRole.arn,
                subnetIds: [args.privateSubnetIds[i]!],
                instanceTypes: args.instanceTypes,
                capacityType: args.capacityType,
                diskSize: args.diskSizeGb,
                scalingConfig: { minSize: args.nodesPerZone.min, desiredSize: args.nodesPerZone.desired, maxSize: args.nodesPerZone.max },
                updateConfig: { maxUnavailable: 1 },
                labels: { "langchain-ha.io/zone": az },
                tags: { ...tags, "k8s.io/cluster-autoscaler/enabled": "true" },
            }, { parent: this, dependsOn: nodePolicies, ignoreChanges: ["scalingConfig.desiredSize"] });
            return group.nodeGroupName;
        });

        // The EBS CSI driver provisions the Qdrant volumes; without it PVCs stay Pending.
        new aws.eks.Addon(`${name}-ebs-csi`, {
            clusterName: cluster.name,
            addonName: "aws-ebs-csi-driver",
            resolveConflictsOnUpdate: "OVERWRITE",
        }, { parent: this, dependsOn: nodePolicies });

        for (const [i, principalArn] of (args.adminPrincipalArns ?? []).entries()) {
            const entry = new aws.eks.AccessEntry(`${name}-admin-${i}`, { clusterName: cluster.name, principalArn, type: "STANDARD", tags }, parent);
            new aws.eks.AccessPolicyAssociation(`${name}-admin-${i}`, {
                clusterName: cluster.name,
                principalArn: entry.principalArn,
                policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                accessScope: { type: "cluster" },
            }, parent);
        }

        const issuer = cluster.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer ?? "");
        const oidc = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, {
            url: issuer,
            clientIdLists: ["sts.amazonaws.com"],
            tags,
        }, parent);

        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.clusterSecurityGroupId = cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId);
        this.endpoint = cluster.endpoint;
        this.certificateAuthority = cluster.certificateAuthority.apply((ca) => ca.data ?? "");
        this.oidcProviderArn = oidc.arn;
        this.oidcIssuerHost = issuer.apply((url) => url.replace(/^https:\/\//, ""));
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            oidcProviderArn: this.oidcProviderArn,
            nodeGroupNames: this.nodeGroupNames,
        });
    }
}
