import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountTrustPolicy, serviceTrustPolicy } from "./iam";

export interface NodesPerZone {
    min: number;
    desired: number;
    max: number;
}

export interface EksClusterArgs {
    /** The cluster's name in EKS; the subnets' discovery tags must carry the same name. */
    clusterName: string;
    /** Kubernetes version, e.g. "1.35"; one in EKS standard support. */
    version: string;
    /** What EKS does when the version leaves standard support: `STANDARD` upgrades, `EXTENDED` bills extended support. Defaults to STANDARD. */
    supportType?: "STANDARD" | "EXTENDED";
    /** Private subnets, one per zone, in the same order as `availabilityZones`. At least 2. */
    privateSubnetIds: pulumi.Input<string>[];
    availabilityZones: string[];
    instanceTypes: string[];
    capacityType: "ON_DEMAND" | "SPOT";
    diskSizeGb: number;
    /** Node counts of each zone's node group; `min` must be at least 1. */
    nodesPerZone: NodesPerZone;
    /**
     * CIDRs that may reach the API endpoint from outside the VPC (CI runners', on-call's egress).
     * Empty: the endpoint is private only. Never 0.0.0.0/0.
     */
    publicAccessCidrs: string[];
    /**
     * IAM principals given cluster-admin through EKS access entries; at least one, and it must
     * include the identity that runs `pulumi up`: the creator gets no implicit access.
     */
    adminPrincipalArns: string[];
    tags?: Record<string, string>;
}

const NODE_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
];

/** The EBS CSI controller's service account, which the add-on creates in kube-system. */
export const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";
const EBS_CSI_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy";

/** Throws on args that would leave a zone without nodes or the cluster in one zone. */
export function validateEksClusterArgs(name: string, args: EksClusterArgs): void {
    if (args.privateSubnetIds.length !== args.availabilityZones.length) {
        throw new Error(`EksCluster ${name}: ${args.privateSubnetIds.length} subnets for ${args.availabilityZones.length} zones; give one subnet per zone`);
    }
    if (args.availabilityZones.length < 2) throw new Error(`EksCluster ${name}: needs subnets in at least 2 zones`);
    const { min, desired, max } = args.nodesPerZone;
    if (min < 1) throw new Error(`EksCluster ${name}: nodesPerZone.min must be at least 1`);
    if (!(min <= desired && desired <= max)) throw new Error(`EksCluster ${name}: nodesPerZone needs min <= desired <= max, got ${min}/${desired}/${max}`);
    const open = args.publicAccessCidrs.filter((c) => c.endsWith("/0"));
    if (open.length > 0) throw new Error(`EksCluster ${name}: publicAccessCidrs ${open.join(", ")} opens the API endpoint to the internet; list the CIDRs that need it`);
    if (args.adminPrincipalArns.length === 0) throw new Error(`EksCluster ${name}: adminPrincipalArns must list at least the identity that runs pulumi up`);
    if (new Set(args.adminPrincipalArns).size !== args.adminPrincipalArns.length) throw new Error(`EksCluster ${name}: adminPrincipalArns lists a principal twice`);
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
                // Closed by default: the API is reachable from the VPC, and from outside only from the listed CIDRs.
                endpointPrivateAccess: true,
                endpointPublicAccess: args.publicAccessCidrs.length > 0,
                ...(args.publicAccessCidrs.length > 0 ? { publicAccessCidrs: args.publicAccessCidrs } : {}),
            },
            // Every admin is an explicit access entry, the deployer included: with the creator's
            // implicit entry, listing the deployer fails CreateAccessEntry with 409.
            accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
            encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
            enabledClusterLogTypes: ["api", "audit", "authenticator"],
            zonalShiftConfig: { enabled: true },
            upgradePolicy: { supportType: args.supportType ?? "STANDARD" },
            tags,
        }, { parent: this, dependsOn: [clusterPolicy] });

        const nodeRole = new aws.iam.Role(`${name}-node-role`, { assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"), tags }, parent);
        const nodePolicies = NODE_POLICIES.map((policyArn) =>
            new aws.iam.RolePolicyAttachment(`${name}-node-${policyArn.split("/").pop()}`, { role: nodeRole.name, policyArn }, parent));

        const groups = args.availabilityZones.map((az, i) =>
            new aws.eks.NodeGroup(`${name}-nodes-${az}`, {
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
            }, { parent: this, dependsOn: nodePolicies, ignoreChanges: ["scalingConfig.desiredSize"] }));
        this.nodeGroupNames = groups.map((g) => g.nodeGroupName);

        // The VPC CNI as a managed add-on with its network policy agent on: without it EKS accepts
        // NetworkPolicies and enforces none. aws-node runs on the host network, so the node role serves it.
        new aws.eks.Addon(`${name}-vpc-cni`, {
            clusterName: cluster.name,
            addonName: "vpc-cni",
            configurationValues: JSON.stringify({ enableNetworkPolicy: "true" }),
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            tags,
        }, parent);

        const adminAccess = args.adminPrincipalArns.map((principalArn, i) => {
            const entry = new aws.eks.AccessEntry(`${name}-admin-${i}`, { clusterName: cluster.name, principalArn, type: "STANDARD", tags }, parent);
            return new aws.eks.AccessPolicyAssociation(`${name}-admin-${i}`, {
                clusterName: cluster.name,
                principalArn: entry.principalArn,
                policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                accessScope: { type: "cluster" },
            }, parent);
        });

        const issuer = cluster.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer ?? "");
        const oidc = new aws.iam.OpenIdConnectProvider(`${name}-oidc`, {
            url: issuer,
            clientIdLists: ["sts.amazonaws.com"],
            tags,
        }, parent);
        const oidcIssuerHost = issuer.apply((url) => url.replace(/^https:\/\//, ""));

        // The EBS CSI driver provisions the Qdrant volumes. It gets a role of its own (IRSA):
        // AL2023 nodes keep the instance metadata hop limit at 1, so a pod cannot borrow the node
        // role, and without an identity the controller never creates a volume (PVCs stay Pending).
        const ebsCsiRole = new aws.iam.Role(`${name}-ebs-csi`, {
            description: `EBS CSI controller of ${args.clusterName}`,
            assumeRolePolicy: serviceAccountTrustPolicy({ oidcProviderArn: oidc.arn, issuerHost: oidcIssuerHost, namespace: "kube-system", serviceAccount: EBS_CSI_SERVICE_ACCOUNT }),
            tags,
        }, parent);
        const ebsCsiPolicy = new aws.iam.RolePolicyAttachment(`${name}-ebs-csi`, { role: ebsCsiRole.name, policyArn: EBS_CSI_POLICY }, parent);
        // Add-on pods need nodes to run on, or the add-on never becomes ACTIVE.
        new aws.eks.Addon(`${name}-ebs-csi`, {
            clusterName: cluster.name,
            addonName: "aws-ebs-csi-driver",
            serviceAccountRoleArn: ebsCsiRole.arn,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
            tags,
        }, { parent: this, dependsOn: [...groups, ebsCsiPolicy] });

        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.clusterSecurityGroupId = cluster.vpcConfig.apply((v) => v.clusterSecurityGroupId);
        // Resolves once the admins' access exists, so nothing reaches the API before it may.
        this.endpoint = pulumi.all([cluster.endpoint, ...adminAccess.map((a) => a.id)]).apply(([endpoint]) => endpoint);
        this.certificateAuthority = cluster.certificateAuthority.apply((ca) => ca.data ?? "");
        this.oidcProviderArn = oidc.arn;
        this.oidcIssuerHost = oidcIssuerHost;
        this.registerOutputs({
            clusterName: this.clusterName,
            endpoint: this.endpoint,
            oidcProviderArn: this.oidcProviderArn,
            nodeGroupNames: this.nodeGroupNames,
        });
    }
}
