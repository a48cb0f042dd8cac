import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { QDRANT } from "../../app/src/contract";
import { HOST_KEY, RESTRICTED_CONTAINER, selectorLabels, workloadLabels, zoneSpread } from "../k8s/labels";
import { allowIngress, fromPods, QDRANT_CLIENT_LABEL, tcpPorts } from "../k8s/networkPolicy";

export interface QdrantClusterArgs {
    /** Namespace to deploy into (must exist). */
    namespace: pulumi.Input<string>;
    /** Qdrant image, e.g. qdrant/qdrant:v1.15.4. */
    image: string;
    /** Peers; at least 3 so Raft keeps a majority after losing one. */
    replicas: number;
    /** Default replication factor of new collections; 2..replicas. */
    replicationFactor: number;
    /** Default write consistency factor; at most replicationFactor - 1 so writes survive one lost peer. */
    writeConsistencyFactor: number;
    /** Size of each peer's data volume. */
    storageGi: number;
    /** StorageClass of the volumes; must bind on first consumer so a volume lands in its pod's zone. */
    storageClass: pulumi.Input<string>;
    resources: { cpu: string; memory: string };
    /**
     * Secret with key `api-key` that every REST and gRPC call must carry. Required: the peers
     * are reachable in-cluster, and Qdrant without a key serves anyone who reaches it.
     */
    apiKeySecretName: pulumi.Input<string>;
    /**
     * Pod labels (selectors) of the clients allowed on the REST and gRPC ports, besides pods
     * labelled `langchain-ha/qdrant-client: "true"`. Only peers reach the p2p port. Defaults to none.
     */
    clients?: Record<string, string>[];
}

const NAME = "qdrant";
const STORAGE_PATH = "/qdrant/storage";
const SNAPSHOTS_PATH = "/qdrant/snapshots";
/** Qdrant writes a marker file on first start; the root filesystem is read-only, so it goes here. */
const INIT_PATH = "/qdrant/init";

/**
 * The peer's start command. Peer 0 founds the cluster; every other peer bootstraps from it.
 * A restarted peer finds its Raft state on its volume and rejoins without the bootstrap flag
 * mattering, so the ordinal rule is safe across restarts.
 */
function startScript(headless: string): string {
    return [
        "set -e",
        'ordinal="${HOSTNAME##*-}"',
        `self="http://\${HOSTNAME}.${headless}:${QDRANT.p2pPort}"`,
        `seed="http://${NAME}-0.${headless}:${QDRANT.p2pPort}"`,
        'if [ "$ordinal" = "0" ]; then exec ./entrypoint.sh --uri "$self"; fi',
        'exec ./entrypoint.sh --bootstrap "$seed" --uri "$self"',
    ].join("\n");
}

/** Throws on args with which losing one peer loses quorum, data or writes. */
export function validateQdrantClusterArgs(name: string, args: QdrantClusterArgs): void {
    if (args.replicas < 3) throw new Error(`QdrantCluster ${name}: replicas must be at least 3, got ${args.replicas}`);
    if (args.replicationFactor < 2 || args.replicationFactor > args.replicas) {
        throw new Error(`QdrantCluster ${name}: replicationFactor must be between 2 and replicas (${args.replicas}), got ${args.replicationFactor}`);
    }
    if (args.writeConsistencyFactor < 1 || args.writeConsistencyFactor > args.replicationFactor - 1) {
        throw new Error(`QdrantCluster ${name}: writeConsistencyFactor must be between 1 and replicationFactor - 1, got ${args.writeConsistencyFactor}`);
    }
}

/**
 * Qdrant in distributed mode as typed Kubernetes objects: a StatefulSet of `replicas` peers
 * spread over zones (hard) and nodes (required anti-affinity), probes on Qdrant's own
 * /readyz and /livez, a volume per peer for data and one for snapshots, collection defaults
 * with replication, a headless Service for peer discovery and a PDB allowing one peer down.
 */
export class QdrantCluster extends pulumi.ComponentResource {
    /** In-cluster REST URL of the client Service. */
    public readonly url: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    /** DNS name of the headless Service: peer N is `qdrant-N.<headlessHost>`. */
    public readonly headlessHost: pulumi.Output<string>;
    public readonly statefulSetName: pulumi.Output<string>;
    public readonly replicas: number;

    constructor(name: string, args: QdrantClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        validateQdrantClusterArgs(name, args);
        super("langchain-ha:qdrant:Cluster", name, {}, opts);
        const parent = { parent: this };
        const labels = workloadLabels(NAME, "vector-store");
        const selector = selectorLabels(NAME);
        const ports = [
            { name: "http", port: QDRANT.httpPort, targetPort: "http" },
            { name: "grpc", port: QDRANT.grpcPort, targetPort: "grpc" },
        ];

        const headless = new k8s.core.v1.Service(`${name}-headless`, {
            metadata: { name: `${NAME}-headless`, namespace: args.namespace, labels },
            spec: {
                clusterIP: "None",
                // Peers must resolve each other before they are ready, or the cluster never forms.
                publishNotReadyAddresses: true,
                selector,
                ports: [...ports, { name: "p2p", port: QDRANT.p2pPort, targetPort: "p2p" }],
            },
        }, parent);
        const client = new k8s.core.v1.Service(`${name}-client`, {
            metadata: { name: NAME, namespace: args.namespace, labels },
            spec: { type: "ClusterIP", selector, ports },
        }, parent);

        const headlessHost = pulumi.interpolate`${headless.metadata.name}.${args.namespace}.svc.cluster.local`;
        const env: k8s.types.input.core.v1.EnvVar[] = [
            { name: "QDRANT__CLUSTER__ENABLED", value: "true" },
            { name: "QDRANT__CLUSTER__P2P__PORT", value: String(QDRANT.p2pPort) },
            { name: "QDRANT__STORAGE__STORAGE_PATH", value: STORAGE_PATH },
            { name: "QDRANT__STORAGE__SNAPSHOTS_PATH", value: SNAPSHOTS_PATH },
            { name: "QDRANT__STORAGE__COLLECTION__REPLICATION_FACTOR", value: String(args.replicationFactor) },
            { name: "QDRANT__STORAGE__COLLECTION__WRITE_CONSISTENCY_FACTOR", value: String(args.writeConsistencyFactor) },
            { name: "QDRANT__TELEMETRY_DISABLED", value: "true" },
            { name: "QDRANT_INIT_FILE_PATH", value: `${INIT_PATH}/.qdrant-initialized` },
            { name: "QDRANT__SERVICE__API_KEY", valueFrom: { secretKeyRef: { name: args.apiKeySecretName, key: "api-key" } } },
        ];

        const statefulSet = new k8s.apps.v1.StatefulSet(`${name}-statefulset`, {
            metadata: { name: NAME, namespace: args.namespace, labels },
            spec: {
                serviceName: headless.metadata.name,
                replicas: args.replicas,
                // Start peers together: the seed waits for none of them, and ordered start would only slow recovery.
                podManagementPolicy: "Parallel",
                updateStrategy: { type: "RollingUpdate" },
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels },
                    spec: {
                        terminationGracePeriodSeconds: 60,
                        securityContext: { fsGroup: 1000, runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true },
                        topologySpreadConstraints: zoneSpread(selector, "DoNotSchedule"),
                        affinity: {
                            podAntiAffinity: {
                                requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOST_KEY, labelSelector: { matchLabels: selector } }],
                            },
                        },
                        containers: [{
                            name: NAME,
                            image: args.image,
                            command: ["/bin/bash", "-c"],
                            args: [headlessHost.apply(startScript)],
                            env,
                            ports: [
                                { name: "http", containerPort: QDRANT.httpPort },
                                { name: "grpc", containerPort: QDRANT.grpcPort },
                                { name: "p2p", containerPort: QDRANT.p2pPort },
                            ],
                            readinessProbe: { httpGet: { path: QDRANT.readinessPath, port: "http" }, periodSeconds: 5, failureThreshold: 3 },
                            livenessProbe: { httpGet: { path: QDRANT.livenessPath, port: "http" }, periodSeconds: 10, failureThreshold: 6 },
                            // Loading large collections can take minutes; liveness must not kill a peer that is still loading.
                            startupProbe: { httpGet: { path: QDRANT.livenessPath, port: "http" }, periodSeconds: 10, failureThreshold: 60 },
                            resources: { requests: args.resources, limits: { memory: args.resources.memory } },
                            securityContext: RESTRICTED_CONTAINER,
                            volumeMounts: [
                                { name: "storage", mountPath: STORAGE_PATH },
                                { name: "snapshots", mountPath: SNAPSHOTS_PATH },
                                { name: "init", mountPath: INIT_PATH },
                            ],
                        }],
                        volumes: [{ name: "init", emptyDir: {} }],
                    },
                },
                volumeClaimTemplates: [
                    {
                        metadata: { name: "storage" },
                        spec: { accessModes: ["ReadWriteOnce"], storageClassName: args.storageClass, resources: { requests: { storage: `${args.storageGi}Gi` } } },
                    },
                    {
                        metadata: { name: "snapshots" },
                        spec: {
                            accessModes: ["ReadWriteOnce"],
                            storageClassName: args.storageClass,
                            resources: { requests: { storage: `${Math.max(1, Math.ceil(args.storageGi / 2))}Gi` } },
                        },
                    },
                ],
                persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
            },
        }, parent);

        // Only the named clients reach the API; only peers reach Raft and shard transfers (p2p),
        // which no API key protects.
        allowIngress(`${name}-network-policy`, {
            name: NAME,
            namespace: args.namespace,
            labels,
            selector,
            ingress: [
                { from: fromPods(...(args.clients ?? []), QDRANT_CLIENT_LABEL), ports: tcpPorts(QDRANT.httpPort, QDRANT.grpcPort) },
                { from: fromPods(selector), ports: tcpPorts(QDRANT.p2pPort) },
            ],
        }, parent);

        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: { name: NAME, namespace: args.namespace, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, parent);

        this.replicas = args.replicas;
        this.serviceName = client.metadata.name;
        this.headlessHost = headlessHost;
        this.statefulSetName = statefulSet.metadata.name;
        this.url = pulumi.interpolate`http://${client.metadata.name}.${args.namespace}.svc.cluster.local:${QDRANT.httpPort}`;
        this.registerOutputs({ url: this.url, serviceName: this.serviceName, statefulSetName: this.statefulSetName });
    }
}
