import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { QDRANT } from "../../app/src/contract";
import { QdrantCluster, validateQdrantClusterArgs } from "../../infra/qdrant";
import { QDRANT_ARGS } from "./componentArgs";
import { declare, envOf } from "./harness";

const args = QDRANT_ARGS;

describe("QdrantCluster", () => {
    test("runs at least 3 peers in cluster mode with replicated collection defaults", async () => {
        const r = await declare(() => new QdrantCluster("qdrant", args));
        const sts = r.one("kubernetes:apps/v1:StatefulSet");
        assert.equal(sts.spec.replicas, 3);
        const container = sts.spec.template.spec.containers[0];
        const env = envOf(container);
        assert.equal(env.QDRANT__CLUSTER__ENABLED, "true");
        assert.equal(env.QDRANT__STORAGE__COLLECTION__REPLICATION_FACTOR, "2");
        assert.equal(env.QDRANT__STORAGE__COLLECTION__WRITE_CONSISTENCY_FACTOR, "1");
        assert.match(container.args[0], /--bootstrap "\$seed"/);
        assert.match(container.args[0], /qdrant-0\.qdrant-headless\.langchain-ha\.svc\.cluster\.local:6335/);
    });

    test("spreads peers over zones (hard) and never puts two on one node", async () => {
        const r = await declare(() => new QdrantCluster("qdrant", args));
        const pod = r.one("kubernetes:apps/v1:StatefulSet").spec.template.spec;
        const zone = pod.topologySpreadConstraints.find((c: { topologyKey: string }) => c.topologyKey === "topology.kubernetes.io/zone");
        assert.deepEqual({ maxSkew: zone.maxSkew, when: zone.whenUnsatisfiable }, { maxSkew: 1, when: "DoNotSchedule" });
        const anti = pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
        assert.equal(anti.topologyKey, "kubernetes.io/hostname");
        assert.deepEqual(anti.labelSelector.matchLabels, r.one("kubernetes:apps/v1:StatefulSet").spec.selector.matchLabels);
    });

    test("probes Qdrant's own health endpoints and keeps data on per-peer volumes", async () => {
        const r = await declare(() => new QdrantCluster("qdrant", args));
        const sts = r.one("kubernetes:apps/v1:StatefulSet");
        const c = sts.spec.template.spec.containers[0];
        assert.deepEqual(c.readinessProbe.httpGet, { path: QDRANT.readinessPath, port: "http" });
        assert.deepEqual(c.livenessProbe.httpGet, { path: QDRANT.livenessPath, port: "http" });
        assert.ok(c.startupProbe.failureThreshold * c.startupProbe.periodSeconds >= 300, "a loading peer gets at least 5 minutes");
        assert.deepEqual(c.ports.map((p: { containerPort: number }) => p.containerPort), [6333, 6334, 6335]);
        const claims = sts.spec.volumeClaimTemplates;
        assert.deepEqual(claims.map((t: { metadata: { name: string } }) => t.metadata.name), ["storage", "snapshots"]);
        assert.equal(claims[0].spec.resources.requests.storage, "50Gi");
        assert.equal(claims[0].spec.storageClassName, "gp3");
        assert.equal(sts.spec.persistentVolumeClaimRetentionPolicy.whenDeleted, "Retain");
        assert.equal(c.securityContext.readOnlyRootFilesystem, true);
        assert.ok(c.volumeMounts.some((m: { mountPath: string }) => m.mountPath === "/qdrant/init"), "the init marker has a writable place");
    });

    test("has a PDB that selects the peers and allows exactly one down", async () => {
        const r = await declare(() => new QdrantCluster("qdrant", args));
        const pdb = r.one("kubernetes:policy/v1:PodDisruptionBudget");
        assert.equal(pdb.spec.maxUnavailable, 1);
        assert.deepEqual(pdb.spec.selector.matchLabels, r.one("kubernetes:apps/v1:StatefulSet").spec.selector.matchLabels);
        const headless = r.one("kubernetes:core/v1:Service", "qdrant-headless");
        assert.equal(headless.spec.clusterIP, "None");
        assert.equal(headless.spec.publishNotReadyAddresses, true);
    });

    test("always requires the API key, read from its Secret", async () => {
        const r = await declare(() => new QdrantCluster("qdrant", args));
        const env = r.one("kubernetes:apps/v1:StatefulSet").spec.template.spec.containers[0].env;
        const key = env.find((e: { name: string }) => e.name === "QDRANT__SERVICE__API_KEY");
        assert.deepEqual(key.valueFrom.secretKeyRef, { name: "qdrant-api-key", key: "api-key" });
    });

    test("lets only the named clients and labelled pods reach the API ports, and only peers reach p2p", async () => {
        const app = { "app.kubernetes.io/name": "langchain-ha", "app.kubernetes.io/instance": "langchain-ha" };
        const r = await declare(() => new QdrantCluster("qdrant", { ...args, clients: [app] }));
        const policy = r.one("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const peers = r.one("kubernetes:apps/v1:StatefulSet").spec.selector.matchLabels;
        assert.deepEqual(policy.spec, {
            podSelector: { matchLabels: peers },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [{ podSelector: { matchLabels: app } }, { podSelector: { matchLabels: { "langchain-ha/qdrant-client": "true" } } }],
                    ports: [{ protocol: "TCP", port: 6333 }, { protocol: "TCP", port: 6334 }],
                },
                { from: [{ podSelector: { matchLabels: peers } }], ports: [{ protocol: "TCP", port: 6335 }] },
            ],
        });
    });

    test("refuses settings with which one lost peer loses quorum, data or writes", () => {
        assert.throws(() => validateQdrantClusterArgs("q", { ...args, replicas: 2 }), { message: "QdrantCluster q: replicas must be at least 3, got 2" });
        assert.throws(() => validateQdrantClusterArgs("q", { ...args, replicationFactor: 1 }), { message: "QdrantCluster q: replicationFactor must be between 2 and replicas (3), got 1" });
        assert.throws(() => validateQdrantClusterArgs("q", { ...args, replicationFactor: 4 }), /got 4/);
        assert.throws(() => validateQdrantClusterArgs("q", { ...args, writeConsistencyFactor: 2 }), { message: "QdrantCluster q: writeConsistencyFactor must be between 1 and replicationFactor - 1, got 2" });
        assert.doesNotThrow(() => validateQdrantClusterArgs("q", args));
    });
});
