import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { subnetCidr } from "./cidr";

export interface AwsNetworkArgs {
    /** Availability zones to span; one public and one private subnet and one NAT gateway each. At least 2. */
    availabilityZones: string[];
    /** The VPC's CIDR block; split into /(prefix+4) subnets: private first, public from the 9th block. */
    vpcCidr: string;
    /** EKS cluster name, for the subnet discovery tags the load balancer integration reads. */
    clusterName: string;
    tags?: Record<string, string>;
}

/** Throws on args that would make the network a single point of failure or not fit. */
export function validateAwsNetworkArgs(name: string, args: AwsNetworkArgs): void {
    if (args.availabilityZones.length < 2) {
        throw new Error(`AwsNetwork ${name}: needs at least 2 availability zones, got ${args.availabilityZones.length}`);
    }
    if (args.availabilityZones.length > 8) {
        throw new Error(`AwsNetwork ${name}: at most 8 availability zones fit the subnet layout`);
    }
}

/**
 * A VPC over several availability zones: a public and a private subnet per zone and one NAT
 * gateway per zone, each private route table routing through its own zone's gateway, so
 * that losing a zone never cuts the others off the internet.
 */
export class AwsNetwork extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly natGatewayIds: pulumi.Output<string>[];
    public readonly availabilityZones: string[];

    constructor(name: string, args: AwsNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        validateAwsNetworkArgs(name, args);
        super("langchain-ha:aws:Network", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags ?? {};
        const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };

        const vpc = new aws.ec2.Vpc(`${name}-vpc`, {
            cidrBlock: args.vpcCidr,
            enableDnsHostnames: true,
            enableDnsSupport: true,
            tags: { ...tags, Name: `${name}-vpc` },
        }, parent);
        const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { ...tags, Name: `${name}-igw` } }, parent);
        const publicRoutes = new aws.ec2.RouteTable(`${name}-public-rt`, {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
            tags: { ...tags, Name: `${name}-public` },
        }, parent);

        this.publicSubnetIds = [];
        this.privateSubnetIds = [];
        this.natGatewayIds = [];
        args.availabilityZones.forEach((az, i) => {
            const publicSubnet = new aws.ec2.Subnet(`${name}-public-${az}`, {
                vpcId: vpc.id,
                availabilityZone: az,
                cidrBlock: subnetCidr(args.vpcCidr, 4, 8 + i),
                mapPublicIpOnLaunch: false,
                tags: { ...tags, ...clusterTag, Name: `${name}-public-${az}`, "kubernetes.io/role/elb": "1" },
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-public-${az}`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id }, parent);

            const eip = new aws.ec2.Eip(`${name}-nat-${az}`, { domain: "vpc", tags: { ...tags, Name: `${name}-nat-${az}` } }, parent);
            const nat = new aws.ec2.NatGateway(`${name}-nat-${az}`, {
                allocationId: eip.id,
                subnetId: publicSubnet.id,
                connectivityType: "public",
                tags: { ...tags, Name: `${name}-nat-${az}` },
            }, { parent: this, dependsOn: [igw] });

            const privateSubnet = new aws.ec2.Subnet(`${name}-private-${az}`, {
                vpcId: vpc.id,
                availabilityZone: az,
                cidrBlock: subnetCidr(args.vpcCidr, 4, i),
                tags: { ...tags, ...clusterTag, Name: `${name}-private-${az}`, "kubernetes.io/role/internal-elb": "1" },
            }, parent);
            // One route table per zone: its default route stays inside the zone.
            const privateRoutes = new aws.ec2.RouteTable(`${name}-private-${az}`, {
                vpcId: vpc.id,
                routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
                tags: { ...tags, Name: `${name}-private-${az}` },
            }, parent);
            new aws.ec2.RouteTableAssociation(`${name}-private-${az}`, { subnetId: privateSubnet.id, routeTableId: privateRoutes.id }, parent);

            this.publicSubnetIds.push(publicSubnet.id);
            this.privateSubnetIds.push(privateSubnet.id);
            this.natGatewayIds.push(nat.id);
        });
        this.vpcId = vpc.id;
        this.availabilityZones = args.availabilityZones;
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            natGatewayIds: this.natGatewayIds,
        });
    }
}
