import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { AwsNetwork, EksCluster, validateAwsNetworkArgs, validateEksClusterArgs } from "../../infra/aws";
import { declare } from "./harness";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

describe("AwsNetwork", () => {
    test("puts a public and a private subnet and a NAT gateway in every zone", async () => {
        const r = await declare(() => new AwsNetwork("net", { availabilityZones: ZONES, vpcCidr: "10.20.0.0/16", clusterName: "eks" }));
        const subnets = r.inputsOf("aws:ec2/subnet:Subnet");
        const privateSubnets = subnets.filter((s) => s.tags["kubernetes.io/role/internal-elb"] === "1");
        const publicSubnets = subnets.filter((s) => s.tags["kubernetes.io/role/elb"] === "1");
        assert.deepEqual(privateSubnets.map((s) => s.availabilityZone).sort(), ZONES);
        assert.deepEqual(publicSubnets.map((s) => s.availabilityZone).sort(), ZONES);
        assert.equal(new Set(subnets.map((s) => s.cidrBlock)).size, 6, "subnet CIDRs overlap");
        assert.equal(r.ofType("aws:ec2/natGateway:NatGateway").length, 3);
        assert.ok(publicSubnets.every((s) => s.mapPublicIpOnLaunch === false));
    });

    test("routes each private subnet through the NAT gateway of its own zone", async () => {
        const r = await declare(() => new AwsNetwork("net", { availabilityZones: ZONES, vpcCidr: "10.20.0.0/16", clusterName: "eks" }));
        const idOf = (type: string, name: string) => r.ofType(type).find((x) => x.name === name)!.id;
        for (const az of ZONES) {
            const nat = r.ofType("aws:ec2/natGateway:NatGateway").find((n) => n.name === `net-nat-${az}`)!;
            assert.equal((nat.inputs as { subnetId: string }).subnetId, idOf("aws:ec2/subnet:Subnet", `net-public-${az}`));
            const table = r.one("aws:ec2/routeTable:RouteTable", `net-private-${az}`);
            assert.deepEqual(table.routes, [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }]);
            const association = r.one("aws:ec2/routeTableAssociation:RouteTableAssociation", `net-private-${az}`);
            assert.equal(association.subnetId, idOf("aws:ec2/subnet:Subnet", `net-private-${az}`));
            assert.equal(association.routeTableId, idOf("aws:ec2/routeTable:RouteTable", `net-private-${az}`));
        }
    });

    test("refuses a single zone before declaring anything", () => {
        assert.throws(
            () => validateAwsNetworkArgs("net", { availabilityZones: ["us-east-1a"], vpcCidr: "10.20.0.0/16", clusterName: "eks" }),
            { message: "AwsNetwork net: needs at least 2 availability zones, got 1" },
        );
    });
});

describe("EksCluster", () => {
    const args = {
        clusterName: "prod-eks",
        version: "1.35",
        privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"],
        availabilityZones: ZONES,
        instanceTypes: ["m6i.xlarge"],
        capacityType: "ON_DEMAND" as const,
        diskSizeGb: 100,
        nodesPerZone: { min: 1, desired: 2, max: 4 },
        publicAccessCidrs: ["203.0.113.0/24"],
        adminPrincipalArns: ["arn:aws:iam::123456789012:role/ci-deploy"],
    };

    test("declares one node group per zone, each in its zone's subnet with at least one node", async () => {
        const r = await declare(() => new EksCluster("eks", args));
        const groups = r.inputsOf("aws:eks/nodeGroup:NodeGroup");
        assert.equal(groups.length, 3);
        assert.deepEqual(groups.map((g) => g.subnetIds).sort(), [["subnet-a"], ["subnet-b"], ["subnet-c"]]);
        assert.ok(groups.every((g) => g.scalingConfig.minSize >= 1 && g.scalingConfig.maxSize >= g.scalingConfig.desiredSize));
        assert.deepEqual(groups.map((g) => g.labels["langchain-ha.io/zone"]).sort(), ZONES);
    });

    test("spans the control plane over every private subnet, encrypts secrets, enables zonal shift", async () => {
        const r = await declare(() => new EksCluster("eks", args));
        const cluster = r.one("aws:eks/cluster:Cluster");
        assert.deepEqual(cluster.vpcConfig.subnetIds, args.privateSubnetIds);
        assert.equal(cluster.name, "prod-eks");
        assert.equal(cluster.version, "1.35");
        assert.deepEqual(cluster.upgradePolicy, { supportType: "STANDARD" }, "no silent extended-support billing");
        assert.deepEqual(cluster.encryptionConfig.resources, ["secrets"]);
        assert.ok(cluster.encryptionConfig.provider.keyArn);
        assert.equal(cluster.zonalShiftConfig.enabled, true);
        assert.equal(r.one("aws:eks/addon:Addon", "eks-ebs-csi").addonName, "aws-ebs-csi-driver");
        assert.equal(r.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").length, 1);
    });

    test("the API endpoint is closed: private only by default, public only for the listed CIDRs", async () => {
        const closed = await declare(() => new EksCluster("eks", { ...args, publicAccessCidrs: [] }));
        assert.deepEqual(closed.one("aws:eks/cluster:Cluster").vpcConfig, { subnetIds: args.privateSubnetIds, endpointPrivateAccess: true, endpointPublicAccess: false });
        const listed = await declare(() => new EksCluster("eks", args));
        assert.deepEqual(listed.one("aws:eks/cluster:Cluster").vpcConfig, { subnetIds: args.privateSubnetIds, endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] });
        assert.throws(() => validateEksClusterArgs("eks", { ...args, publicAccessCidrs: ["0.0.0.0/0"] }), { message: "EksCluster eks: publicAccessCidrs 0.0.0.0/0 opens the API endpoint to the internet; list the CIDRs that need it" });
    });

    test("the VPC CNI add-on enforces NetworkPolicies", async () => {
        const r = await declare(() => new EksCluster("eks", args));
        const cni = r.one("aws:eks/addon:Addon", "eks-vpc-cni");
        assert.equal(cni.addonName, "vpc-cni");
        assert.deepEqual(JSON.parse(cni.configurationValues), { enableNetworkPolicy: "true" });
        assert.equal(cni.resolveConflictsOnCreate, "OVERWRITE");
    });

    test("the EBS CSI add-on runs with its own IRSA role, and the node role no longer carries the CSI policy", async () => {
        const r = await declare(() => new EksCluster("eks", args));
        const addon = r.one("aws:eks/addon:Addon", "eks-ebs-csi");
        const role = r.ofType("aws:iam/role:Role").find((x) => x.name === "eks-ebs-csi")!;
        assert.equal(addon.serviceAccountRoleArn, role.outputs.arn);
        const trust = JSON.parse((role.inputs as { assumeRolePolicy: string }).assumeRolePolicy).Statement[0];
        const oidc = r.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")[0]!;
        const host = (oidc.inputs as { url: string }).url.replace("https://", "");
        assert.equal(trust.Principal.Federated, oidc.outputs.arn);
        assert.deepEqual(trust.Condition.StringEquals, {
            [`${host}:sub`]: "system:serviceaccount:kube-system:ebs-csi-controller-sa",
            [`${host}:aud`]: "sts.amazonaws.com",
        });
        const attachments = r.inputsOf("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
        const csi = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy";
        assert.deepEqual(attachments.filter((a) => a.policyArn === csi).map((a) => a.role), [role.outputs.name]);
        const nodeRole = r.ofType("aws:iam/role:Role").find((x) => x.name === "eks-node-role")!;
        assert.equal(attachments.filter((a) => a.role === nodeRole.outputs.name && a.policyArn === csi).length, 0);
        const addonDeps = r.ofType("aws:eks/addon:Addon").find((x) => x.name === "eks-ebs-csi")!.dependencies;
        for (const group of r.ofType("aws:eks/nodeGroup:NodeGroup")) assert.ok(addonDeps.includes(group.urn), `add-on waits for ${group.name}`);
    });

    test("gives the configured principals cluster-admin through access entries", async () => {
        const r = await declare(() => new EksCluster("eks", { ...args, adminPrincipalArns: ["arn:aws:iam::123456789012:role/oncall"] }));
        assert.equal(r.one("aws:eks/accessEntry:AccessEntry").principalArn, "arn:aws:iam::123456789012:role/oncall");
        const association = r.one("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
        assert.equal(association.policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
        assert.deepEqual(association.accessScope, { type: "cluster" });
    });

    test("the creator gets no implicit entry, so listing the deployer cannot collide with one (409)", async () => {
        const deployer = "arn:aws:iam::123456789012:role/ci-deploy";
        const r = await declare(() => new EksCluster("eks", { ...args, adminPrincipalArns: [deployer, "arn:aws:iam::123456789012:role/oncall"] }));
        assert.deepEqual(r.one("aws:eks/cluster:Cluster").accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
        assert.deepEqual(r.inputsOf("aws:eks/accessEntry:AccessEntry").map((e) => e.principalArn), [deployer, "arn:aws:iam::123456789012:role/oncall"]);
    });

    test("the endpoint (and so the kubeconfig) resolves only after the admins' access exists", async () => {
        let endpointDeps: string[] = [];
        const r = await declare(() => {
            const eks = new EksCluster("eks", args);
            // A resource fed the endpoint records what it waits for.
            new aws.ssm.Parameter("probe", { type: "String", value: eks.endpoint });
            return eks;
        });
        endpointDeps = r.ofType("aws:ssm/parameter:Parameter")[0]!.propertyDependencies.value ?? [];
        const associations = r.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").map((a) => a.urn);
        assert.equal(associations.length, 1);
        for (const urn of associations) assert.ok(endpointDeps.includes(urn), `endpoint waits for ${urn}`);
    });

    test("refuses mismatched subnets and zones, and zones that can drop to no node", () => {
        assert.throws(() => validateEksClusterArgs("eks", { ...args, privateSubnetIds: ["subnet-a"] }), { message: "EksCluster eks: 1 subnets for 3 zones; give one subnet per zone" });
        assert.throws(() => validateEksClusterArgs("eks", { ...args, nodesPerZone: { min: 0, desired: 1, max: 2 } }), { message: "EksCluster eks: nodesPerZone.min must be at least 1" });
        assert.throws(() => validateEksClusterArgs("eks", { ...args, nodesPerZone: { min: 2, desired: 1, max: 2 } }), { message: "EksCluster eks: nodesPerZone needs min <= desired <= max, got 2/1/2" });
        assert.throws(() => validateEksClusterArgs("eks", { ...args, adminPrincipalArns: [] }), { message: "EksCluster eks: adminPrincipalArns must list at least the identity that runs pulumi up" });
        assert.doesNotThrow(() => validateEksClusterArgs("eks", args));
    });
});
