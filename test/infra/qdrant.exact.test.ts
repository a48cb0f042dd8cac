import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { QdrantCluster, validateQdrantClusterArgs, type QdrantClusterArgs } from "../../infra/qdrant/cluster";
import { QDRANT_ARGS } from "./componentValues";
import { declare, type Resources } from "./harness";

/**
 * Every value QdrantCluster declares, written out by hand: how the peers find each other and
 * form the cluster, the collection defaults, probes, volumes and their retention, spread,
 * network policy and disruption budget. A changed value here loses quorum, data or writes
 * without any other check noticing; none of the expected values is computed by the component.
 */


const LABELS = {
    "app.kubernetes.io/name": "qdrant",
    "app.kubernetes.io/instance": "qdrant",
    "app.kubernetes.io/component": "vector-store",
    "app.kubernetes.io/part-of": "langchain-ha",
    "app.kubernetes.io/managed-by": "pulumi",
};
const SELECTOR = { "app.kubernetes.io/name": "qdrant", "app.kubernetes.io/instance": "qdrant" };
const CLIENT = { "app.kubernetes.io/name": "langchain-ha", "app.kubernetes.io/instance": "langchain-ha" };

const START_SCRIPT = [
    "set -e",
    'ordinal="${HOSTNAME##*-}"',
    'self="http://${HOSTNAME}.qdrant-headless.langchain-ha.svc.cluster.local:6335"',
    'seed="http://qdrant-0.qdrant-headless.langchain-ha.svc.cluster.local:6335"',
    'if [ "$ordinal" = "0" ]; then exec ./entrypoint.sh --uri "$self"; fi',
    'exec ./entrypoint.sh --bootstrap "$seed" --uri "$self"',
].join("\n");

async function qdrant(args: QdrantClusterArgs): Promise<Resources> {
    return declare(() => new QdrantCluster("qdrant", args));
}

let declared: Promise<Resources> | undefined;
const withClients = () => (declared ??= qdrant({ ...QDRANT_ARGS, clients: [CLIENT] }));

describe("QdrantCluster (exact)", () => {
    test("the StatefulSet: 3 peers started together, peer 0 founding the cluster, the others bootstrapping from it", async () => {
        const sts = (await withClients()).one("kubernetes:apps/v1:StatefulSet");
        const { template, volumeClaimTemplates: _claims, ...spec } = sts.spec;
        assert.deepEqual(sts.metadata, { name: "qdrant", namespace: "langchain-ha", labels: LABELS });
        assert.deepEqual(spec, {
            serviceName: "qdrant-headless",
            replicas: 3,
            podManagementPolicy: "Parallel",
            updateStrategy: { type: "RollingUpdate" },
            selector: { matchLabels: SELECTOR },
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        });
        assert.deepEqual(template.metadata, { labels: LABELS });
        const { containers, ...pod } = template.spec;
        assert.deepEqual(pod, {
            terminationGracePeriodSeconds: 60,
            securityContext: { fsGroup: 1000, runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true },
            topologySpreadConstraints: [
                { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: SELECTOR } },
                { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: SELECTOR } },
            ],
            affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: SELECTOR } }] } },
            volumes: [{ name: "init", emptyDir: {} }],
        });
        assert.equal(containers.length, 1);
        assert.deepEqual(containers[0], {
            name: "qdrant",
            image: "qdrant/qdrant:v1.15.4",
            command: ["/bin/bash", "-c"],
            args: [START_SCRIPT],
            env: [
                { name: "QDRANT__CLUSTER__ENABLED", value: "true" },
                { name: "QDRANT__CLUSTER__P2P__PORT", value: "6335" },
                { name: "QDRANT__STORAGE__STORAGE_PATH", value: "/qdrant/storage" },
                { name: "QDRANT__STORAGE__SNAPSHOTS_PATH", value: "/qdrant/snapshots" },
                { name: "QDRANT__STORAGE__COLLECTION__REPLICATION_FACTOR", value: "2" },
                { name: "QDRANT__STORAGE__COLLECTION__WRITE_CONSISTENCY_FACTOR", value: "1" },
                { name: "QDRANT__TELEMETRY_DISABLED", value: "true" },
                { name: "QDRANT_INIT_FILE_PATH", value: "/qdrant/init/.qdrant-initialized" },
                { name: "QDRANT__SERVICE__API_KEY", valueFrom: { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } } },
            ],
            ports: [{ name: "http", containerPort: 6333 }, { name: "grpc", containerPort: 6334 }, { name: "p2p", containerPort: 6335 }],
            readinessProbe: { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 5, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: "/livez", port: "http" }, periodSeconds: 10, failureThreshold: 6 },
            // Ten minutes to load collections before liveness may restart the peer.
            startupProbe: { httpGet: { path: "/livez", port: "http" }, periodSeconds: 10, failureThreshold: 60 },
            resources: { requests: { cpu: "1", memory: "4Gi" }, limits: { memory: "4Gi" } },
            securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
                seccompProfile: { type: "RuntimeDefault" },
            },
            volumeMounts: [
                { name: "storage", mountPath: "/qdrant/storage" },
                { name: "snapshots", mountPath: "/qdrant/snapshots" },
                { name: "init", mountPath: "/qdrant/init" },
            ],
        });
    });

    test("each peer claims a zonal data volume of the asked size and a snapshot volume of half of it", async () => {
        const sts = (await withClients()).one("kubernetes:apps/v1:StatefulSet");
        assert.deepEqual(sts.spec.volumeClaimTemplates, [
            { metadata: { name: "storage" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "50Gi" } } } },
            { metadata: { name: "snapshots" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "25Gi" } } } },
        ]);
    });

    test("the snapshot volume rounds half an odd size up, and is never below 1 Gi", async () => {
        for (const [storageGi, snapshots] of [[7, "4Gi"], [1, "1Gi"]] as const) {
            const sts = (await qdrant({ ...QDRANT_ARGS, storageGi, replicas: 5, replicationFactor: 3, writeConsistencyFactor: 2 })).one("kubernetes:apps/v1:StatefulSet");
            assert.equal(sts.spec.volumeClaimTemplates[1].spec.resources.requests.storage, snapshots, `${storageGi} Gi of data`);
            assert.equal(sts.spec.replicas, 5);
            const env = Object.fromEntries(sts.spec.template.spec.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
            assert.deepEqual([env.QDRANT__STORAGE__COLLECTION__REPLICATION_FACTOR, env.QDRANT__STORAGE__COLLECTION__WRITE_CONSISTENCY_FACTOR], ["3", "2"]);
        }
    });

    test("a headless Service publishes every peer, ready or not, on all three ports; a ClusterIP Service serves the API", async () => {
        const r = await withClients();
        assert.deepEqual(r.one("kubernetes:core/v1:Service", "qdrant-headless"), {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "qdrant-headless", namespace: "langchain-ha", labels: LABELS },
            spec: {
                clusterIP: "None",
                publishNotReadyAddresses: true,
                selector: SELECTOR,
                ports: [{ name: "http", port: 6333, targetPort: "http" }, { name: "grpc", port: 6334, targetPort: "grpc" }, { name: "p2p", port: 6335, targetPort: "p2p" }],
            },
        });
        assert.deepEqual(r.one("kubernetes:core/v1:Service", "qdrant-client"), {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "qdrant", namespace: "langchain-ha", labels: LABELS },
            spec: { type: "ClusterIP", selector: SELECTOR, ports: [{ name: "http", port: 6333, targetPort: "http" }, { name: "grpc", port: 6334, targetPort: "grpc" }] },
        });
    });

    test("the API ports admit the named clients and labelled pods; the p2p port only the peers", async () => {
        assert.deepEqual((await withClients()).one("kubernetes:networking.k8s.io/v1:NetworkPolicy"), {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "qdrant", namespace: "langchain-ha", labels: LABELS },
            spec: {
                podSelector: { matchLabels: SELECTOR },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ podSelector: { matchLabels: CLIENT } }, { podSelector: { matchLabels: { "langchain-ha/qdrant-client": "true" } } }],
                        ports: [{ protocol: "TCP", port: 6333 }, { protocol: "TCP", port: 6334 }],
                    },
                    { from: [{ podSelector: { matchLabels: SELECTOR } }], ports: [{ protocol: "TCP", port: 6335 }] },
                ],
            },
        });
    });

    test("without named clients only labelled pods reach the API", async () => {
        const policy = (await qdrant(QDRANT_ARGS)).one("kubernetes:networking.k8s.io/v1:NetworkPolicy");
        assert.deepEqual(policy.spec.ingress[0].from, [{ podSelector: { matchLabels: { "langchain-ha/qdrant-client": "true" } } }]);
    });

    test("the PDB lets one peer go at a time", async () => {
        assert.deepEqual((await withClients()).one("kubernetes:policy/v1:PodDisruptionBudget"), {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: "qdrant", namespace: "langchain-ha", labels: LABELS },
            spec: { maxUnavailable: 1, selector: { matchLabels: SELECTOR } },
        });
    });

    test("its outputs: the in-cluster URL and names; every resource under the component", async () => {
        const r = await withClients();
        const component = r.ofType("langchain-ha:qdrant:Cluster");
        assert.equal(component.length, 1);
        const children = r.all.filter((x) => x.custom);
        assert.equal(children.length, 5, "two Services, the StatefulSet, the NetworkPolicy, the PDB");
        for (const c of children) assert.equal(c.parent, component[0]!.urn, `${c.type} ${c.name} is a child of the component`);
        assert.deepEqual(component[0]!.outputs, { url: "http://qdrant.langchain-ha.svc.cluster.local:6333", serviceName: "qdrant", statefulSetName: "qdrant" });
    });

    test("the public fields: replicas and the headless host peers are named under", async () => {
        let cluster: QdrantCluster | undefined;
        await declare(() => { cluster = new QdrantCluster("qdrant", QDRANT_ARGS); });
        assert.equal(cluster!.replicas, 3);
        const headlessHost = await new Promise((resolve) => cluster!.headlessHost.apply(resolve));
        assert.equal(headlessHost, "qdrant-headless.langchain-ha.svc.cluster.local");
    });
});

describe("validateQdrantClusterArgs (exact)", () => {
    const v = (replicas: number, replicationFactor: number, writeConsistencyFactor: number) => () =>
        validateQdrantClusterArgs("qdrant", { ...QDRANT_ARGS, replicas, replicationFactor, writeConsistencyFactor });

    test("the boundaries that still survive one lost peer are accepted", () => {
        assert.doesNotThrow(v(3, 2, 1));
        assert.doesNotThrow(v(3, 3, 2), "replication factor up to the peer count; write consistency up to one below it");
    });

    test("too few peers, a replication factor outside 2..replicas, or a write consistency outside 1..factor-1 are refused with the reason", () => {
        assert.throws(v(2, 2, 1), { message: "QdrantCluster qdrant: replicas must be at least 3, got 2" });
        assert.throws(v(3, 1, 1), { message: "QdrantCluster qdrant: replicationFactor must be between 2 and replicas (3), got 1" });
        assert.throws(v(3, 4, 1), { message: "QdrantCluster qdrant: replicationFactor must be between 2 and replicas (3), got 4" });
        assert.throws(v(3, 2, 0), { message: "QdrantCluster qdrant: writeConsistencyFactor must be between 1 and replicationFactor - 1, got 0" });
        assert.throws(v(3, 2, 2), { message: "QdrantCluster qdrant: writeConsistencyFactor must be between 1 and replicationFactor - 1, got 2" });
    });

    test("the component refuses bad arguments before declaring anything", () => {
        assert.throws(() => new QdrantCluster("qdrant", { ...QDRANT_ARGS, replicas: 2 }), { message: "QdrantCluster qdrant: replicas must be at least 3, got 2" });
    });
});
