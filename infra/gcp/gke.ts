import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { PODS_RANGE, SERVICES_RANGE } from "./network";

export interface GkeClusterArgs {
    project: string;
    /** The cluster's location: a region, never a zone, so the control plane is replicated. */
    region: string;
    /** Zones the node pool spans. At least 2. */
    zones: string[];
    networkId: pulumi.Input<string>;
    subnetworkId: pulumi.Input<string>;
    /** /28 for the control plane's private endpoint. */
    masterCidr: string;
    releaseChannel: "RAPID" | "REGULAR" | "STABLE";
    machineType: string;
    diskSizeGb: number;
    /** Autoscaling bounds of each zone; `min` must be at least 1. */
    nodesPerZone: { min: number; max: number };
    /**
     * CIDRs allowed to reach the control plane's public endpoint. Empty: the endpoint is private
     * only (reachable from the VPC). Defaults to empty. Never 0.0.0.0/0.
     */
    masterAuthorizedCidrs?: string[];
    /** Refuse `pulumi destroy` of the cluster. Defaults to true. */
    deletionProtection?: boolean;
}

/** Throws on args that would put the node pool in one zone or let a zone drop to no node. */
export function validateGkeClusterArgs(name: string, args: GkeClusterArgs): void {
    if (args.zones.length < 2) throw new Error(`GkeCluster ${name}: needs at least 2 zones, got ${args.zones.length}`);
    const foreign = args.zones.filter((z) => !z.startsWith(`${args.region}-`));
    if (foreign.length > 0) throw new Error(`GkeCluster ${name}: zones ${foreign.join(", ")} are not in ${args.region}`);
    if (args.nodesPerZone.min < 1) throw new Error(`GkeCluster ${name}: nodesPerZone.min must be at least 1`);
    if (args.nodesPerZone.min > args.nodesPerZone.max) throw new Error(`GkeCluster ${name}: nodesPerZone.min must not exceed max`);
    const open = (args.masterAuthorizedCidrs ?? []).filter((c) => c.endsWith("/0"));
    if (open.length > 0) throw new Error(`GkeCluster ${name}: masterAuthorizedCidrs ${open.join(", ")} opens the control plane to the internet; list the CIDRs that need it`);
}

/** Closed by default: a private endpoint, or a public one only for the listed CIDRs (never Google Cloud's ranges at large). */
function controlPlaneAccess(cidrs: string[]) {
    return {
        enablePrivateEndpoint: cidrs.length === 0,
        masterAuthorizedNetworksConfig: {
            cidrBlocks: cidrs.map((cidrBlock, i) => ({ cidrBlock, displayName: `authorized-${i}` })),
            gcpPublicCidrsAccessEnabled: false,
        },
    };
}

/**
 * A regional GKE cluster (control plane replicated over the region's zones) with private
 * nodes, Workload Identity, and one autoscaled node pool over `zones`.
 */
export class GkeCluster extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly endpoint: pulumi.Output<string>;
    public readonly certificateAuthority: pulumi.Output<string>;
    public readonly workloadPool: string;
    public readonly nodePoolName: pulumi.Output<string>;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        validateGkeClusterArgs(name, args);
        super("langchain-ha:gcp:GkeCluster", name, {}, opts);
        const parent = { parent: this };
        this.workloadPool = `${args.project}.svc.id.goog`;

        const nodeAccount = new gcp.serviceaccount.Account(`${name}-nodes`, {
            project: args.project,
            accountId: `${name}-nodes`.slice(0, 30),
            displayName: `${name} GKE nodes`,
        }, parent);
        for (const role of ["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/monitoring.viewer", "roles/artifactregistry.reader"]) {
            new gcp.projects.IAMMember(`${name}-nodes-${role.split("/")[1]}`, {
                project: args.project,
                role,
                member: pulumi.interpolate`serviceAccount:${nodeAccount.email}`,
            }, parent);
        }

        // Application-layer secrets encryption, as EKS has: Kubernetes Secrets (API keys, TLS
        // keys) are envelope-encrypted in etcd with a key of our own, which GKE's service agent uses.
        const projectNumber = gcp.organizations.getProjectOutput({ projectId: args.project }, { parent: this }).number;
        const keyRing = new gcp.kms.KeyRing(`${name}-secrets`, { project: args.project, location: args.region }, parent);
        const secretsKey = new gcp.kms.CryptoKey(`${name}-secrets`, { keyRing: keyRing.id, purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" }, parent);
        const secretsKeyGrant = new gcp.kms.CryptoKeyIAMMember(`${name}-secrets-gke`, {
            cryptoKeyId: secretsKey.id,
            role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
            member: pulumi.interpolate`serviceAccount:service-${projectNumber}@container-engine-robot.iam.gserviceaccount.com`,
        }, parent);

        const access = controlPlaneAccess(args.masterAuthorizedCidrs ?? []);
        const cluster = new gcp.container.Cluster(`${name}-cluster`, {
            project: args.project,
            location: args.region,
            nodeLocations: args.zones,
            network: args.networkId,
            subnetwork: args.subnetworkId,
            // The default pool cannot be autoscaled per zone the way we want; a separate pool replaces it.
            removeDefaultNodePool: true,
            initialNodeCount: 1,
            networkingMode: "VPC_NATIVE",
            // Dataplane V2 enforces NetworkPolicies (the legacy Calico add-on is not needed with it).
            datapathProvider: "ADVANCED_DATAPATH",
            ipAllocationPolicy: { clusterSecondaryRangeName: PODS_RANGE, servicesSecondaryRangeName: SERVICES_RANGE },
            privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: access.enablePrivateEndpoint, masterIpv4CidrBlock: args.masterCidr },
            masterAuthorizedNetworksConfig: access.masterAuthorizedNetworksConfig,
            releaseChannel: { channel: args.releaseChannel },
            workloadIdentityConfig: { workloadPool: this.workloadPool },
            maintenancePolicy: { dailyMaintenanceWindow: { startTime: "03:00" } },
            // Managed collection: GKE runs the Prometheus collectors that PodMonitorings configure.
            monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"], managedPrometheus: { enabled: true } },
            deletionProtection: args.deletionProtection ?? true,
            databaseEncryption: { state: "ENCRYPTED", keyName: secretsKey.id },
        }, { parent: this, dependsOn: [secretsKeyGrant] });

        const pool = new gcp.container.NodePool(`${name}-pool`, {
            project: args.project,
            cluster: cluster.name,
            location: args.region,
            nodeLocations: args.zones,
            // Nodes per zone at creation; left unset the provider sends 0 and the pool starts empty
            // until the autoscaler reacts, with Qdrant's peers Pending meanwhile.
            initialNodeCount: args.nodesPerZone.min,
            autoscaling: { minNodeCount: args.nodesPerZone.min, maxNodeCount: args.nodesPerZone.max, locationPolicy: "BALANCED" },
            management: { autoRepair: true, autoUpgrade: true },
            upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
            nodeConfig: {
                machineType: args.machineType,
                diskSizeGb: args.diskSizeGb,
                diskType: "pd-balanced",
                serviceAccount: nodeAccount.email,
                oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
                workloadMetadataConfig: { mode: "GKE_METADATA" },
                shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
            },
        }, { parent: this, ignoreChanges: ["initialNodeCount"] });

        this.clusterName = cluster.name;
        this.endpoint = cluster.endpoint;
        this.certificateAuthority = cluster.masterAuth.apply((auth) => auth.clusterCaCertificate ?? "");
        this.nodePoolName = pool.name;
        this.registerOutputs({ clusterName: this.clusterName, endpoint: this.endpoint, nodePoolName: this.nodePoolName });
    }
}
