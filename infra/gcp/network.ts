import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface GcpNetworkArgs {
    project: string;
    region: string;
    /** Primary range of the regional subnetwork (nodes). */
    subnetCidr: string;
    /** Secondary range for pods (VPC-native GKE). */
    podsCidr: string;
    /** Secondary range for services. */
    servicesCidr: string;
}

export const PODS_RANGE = "pods";
export const SERVICES_RANGE = "services";

/**
 * A custom-mode VPC with one regional subnetwork (subnetworks span every zone of their
 * region) and Cloud NAT, a regional managed service, for private nodes' egress.
 */
export class GcpNetwork extends pulumi.ComponentResource {
    public readonly networkId: pulumi.Output<string>;
    public readonly subnetworkId: pulumi.Output<string>;

    constructor(name: string, args: GcpNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("langchain-ha:gcp:Network", name, {}, opts);
        const parent = { parent: this };
        const network = new gcp.compute.Network(`${name}-vpc`, {
            project: args.project,
            autoCreateSubnetworks: false,
            routingMode: "REGIONAL",
        }, parent);
        const subnetwork = new gcp.compute.Subnetwork(`${name}-subnet`, {
            project: args.project,
            region: args.region,
            network: network.id,
            ipCidrRange: args.subnetCidr,
            privateIpGoogleAccess: true,
            secondaryIpRanges: [
                { rangeName: PODS_RANGE, ipCidrRange: args.podsCidr },
                { rangeName: SERVICES_RANGE, ipCidrRange: args.servicesCidr },
            ],
        }, parent);
        const router = new gcp.compute.Router(`${name}-router`, { project: args.project, region: args.region, network: network.id }, parent);
        new gcp.compute.RouterNat(`${name}-nat`, {
            project: args.project,
            region: args.region,
            router: router.name,
            natIpAllocateOption: "AUTO_ONLY",
            sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
        }, parent);
        this.networkId = network.id;
        this.subnetworkId = subnetwork.id;
        this.registerOutputs({ networkId: this.networkId, subnetworkId: this.subnetworkId });
    }
}
