import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { GcpNetwork, GkeCluster, validateGkeClusterArgs } from "../../infra/gcp";
import { declare } from "./harness";

const args = {
    project: "acme-rag-dr",
    region: "europe-west1",
    zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
    networkId: "net",
    subnetworkId: "subnet",
    masterCidr: "172.16.0.0/28",
    releaseChannel: "REGULAR" as const,
    machineType: "e2-standard-4",
    diskSizeGb: 100,
    nodesPerZone: { min: 1, max: 4 },
};

describe("GkeCluster", () => {
    test("is regional, with an autoscaled node pool over every zone", async () => {
        const r = await declare(() => new GkeCluster("gke", args));
        const cluster = r.one("gcp:container/cluster:Cluster");
        assert.equal(cluster.location, "europe-west1");
        assert.deepEqual(cluster.nodeLocations, args.zones);
        assert.equal(cluster.removeDefaultNodePool, true);
        assert.equal(cluster.workloadIdentityConfig.workloadPool, "acme-rag-dr.svc.id.goog");
        const pool = r.one("gcp:container/nodePool:NodePool");
        assert.equal(pool.location, "europe-west1");
        assert.deepEqual(pool.nodeLocations, args.zones);
        assert.deepEqual({ min: pool.autoscaling.minNodeCount, max: pool.autoscaling.maxNodeCount }, { min: 1, max: 4 });
        assert.equal(pool.management.autoRepair, true);
        assert.equal(pool.upgradeSettings.maxUnavailable, 0);
    });

    test("the control plane is closed: a private endpoint by default, a public one only for the listed CIDRs", async () => {
        const closed = await declare(() => new GkeCluster("gke", args));
        const c = closed.one("gcp:container/cluster:Cluster");
        assert.deepEqual(c.privateClusterConfig, { enablePrivateNodes: true, enablePrivateEndpoint: true, masterIpv4CidrBlock: "172.16.0.0/28" });
        assert.deepEqual(c.masterAuthorizedNetworksConfig, { cidrBlocks: [], gcpPublicCidrsAccessEnabled: false });
        const listed = (await declare(() => new GkeCluster("gke", { ...args, masterAuthorizedCidrs: ["203.0.113.0/24"] }))).one("gcp:container/cluster:Cluster");
        assert.equal(listed.privateClusterConfig.enablePrivateEndpoint, false);
        assert.deepEqual(listed.masterAuthorizedNetworksConfig, { cidrBlocks: [{ cidrBlock: "203.0.113.0/24", displayName: "authorized-0" }], gcpPublicCidrsAccessEnabled: false });
        assert.throws(() => validateGkeClusterArgs("gke", { ...args, masterAuthorizedCidrs: ["0.0.0.0/0"] }), { message: "GkeCluster gke: masterAuthorizedCidrs 0.0.0.0/0 opens the control plane to the internet; list the CIDRs that need it" });
    });

    test("encrypts Kubernetes secrets with a key of its own that GKE's service agent may use", async () => {
        const r = await declare(() => new GkeCluster("gke", args));
        const key = r.ofType("gcp:kms/cryptoKey:CryptoKey")[0]!;
        assert.deepEqual(r.one("gcp:container/cluster:Cluster").databaseEncryption, { state: "ENCRYPTED", keyName: key.id });
        assert.equal((key.inputs as { keyRing: string }).keyRing, r.ofType("gcp:kms/keyRing:KeyRing")[0]!.id);
        assert.equal(r.one("gcp:kms/keyRing:KeyRing").location, "europe-west1");
        const grant = r.one("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember");
        assert.equal(grant.cryptoKeyId, key.id);
        assert.equal(grant.role, "roles/cloudkms.cryptoKeyEncrypterDecrypter");
        assert.match(grant.member, /^serviceAccount:service-\d{12}@container-engine-robot\.iam\.gserviceaccount\.com$/);
        const clusterDeps = r.ofType("gcp:container/cluster:Cluster")[0]!.dependencies;
        assert.ok(clusterDeps.includes(r.ofType("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")[0]!.urn), "the cluster waits for the grant");
    });

    test("runs Dataplane V2, which enforces NetworkPolicies", async () => {
        const r = await declare(() => new GkeCluster("gke", args));
        assert.equal(r.one("gcp:container/cluster:Cluster").datapathProvider, "ADVANCED_DATAPATH");
    });

    test("the node pool starts with the zone minimum, not the empty pool the provider would create", async () => {
        const r = await declare(() => new GkeCluster("gke", { ...args, nodesPerZone: { min: 2, max: 4 } }));
        assert.equal(r.one("gcp:container/nodePool:NodePool").initialNodeCount, 2);
    });

    test("refuses zones outside the region, a single zone and an empty zone minimum", () => {
        assert.throws(() => validateGkeClusterArgs("gke", { ...args, zones: ["europe-west1-b", "us-central1-a"] }), { message: "GkeCluster gke: zones us-central1-a are not in europe-west1" });
        assert.throws(() => validateGkeClusterArgs("gke", { ...args, zones: ["europe-west1-b"] }), { message: "GkeCluster gke: needs at least 2 zones, got 1" });
        assert.throws(() => validateGkeClusterArgs("gke", { ...args, nodesPerZone: { min: 0, max: 2 } }), { message: "GkeCluster gke: nodesPerZone.min must be at least 1" });
        assert.doesNotThrow(() => validateGkeClusterArgs("gke", args));
    });
});

describe("GcpNetwork", () => {
    test("declares a regional subnetwork with pod and service ranges and Cloud NAT", async () => {
        const r = await declare(() => new GcpNetwork("gcp", { project: "p-12345", region: "europe-west1", subnetCidr: "10.40.0.0/20", podsCidr: "10.44.0.0/14", servicesCidr: "10.48.0.0/20" }));
        const subnet = r.one("gcp:compute/subnetwork:Subnetwork");
        assert.equal(subnet.region, "europe-west1");
        assert.deepEqual(subnet.secondaryIpRanges.map((s: { rangeName: string }) => s.rangeName), ["pods", "services"]);
        assert.equal(r.one("gcp:compute/network:Network").autoCreateSubnetworks, false);
        assert.equal(r.ofType("gcp:compute/routerNat:RouterNat").length, 1);
    });
});
