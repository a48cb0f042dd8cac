import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ENV, HTTP_PORT, PROBE_PATHS, TERMINATION_GRACE_SECONDS } from "../../app/src/contract";
import { RESTRICTED_CONTAINER, selectorLabels, workloadLabels, zoneSpread } from "../k8s/labels";
import type { PodIdentity } from "../k8s/podIdentity";
import { ADMIN_CONTAINER_PORT, LISTENER_ENV } from "../service/ports";

export const FOLLOWER_NAME = "langchain-ha-follower";

/** The label the Qdrant NetworkPolicy admits besides the serving pods. */
export const QDRANT_CLIENT_LABEL = { "langchain-ha/qdrant-client": "true" } as const;

export interface ReplicationFollowerArgs {
    namespace: pulumi.Input<string>;
    /** The service's image: the follower is the same binary with REPLICATION_APPLY=true. */
    image: string;
    /** Pods; one applies (holds the lease), the others stand by. At least 2. */
    replicas: number;
    resources: { cpu: string; memory: string };
    /** The side's service environment (Qdrant, replication locations); REPLICATION_APPLY and the lease are set here. */
    env: Record<string, pulumi.Input<string>>;
    /** The Secret with the service's secret environment (API keys, admin token). */
    secretName: pulumi.Input<string>;
    identity: PodIdentity;
    /** Name of the coordination.k8s.io Lease the followers contend for. */
    leaseName: string;
}

export function validateReplicationFollowerArgs(name: string, args: ReplicationFollowerArgs): void {
    if (!Number.isInteger(args.replicas) || args.replicas < 2) {
        throw new Error(`ReplicationFollower ${name}: replicas must be at least 2 (one follower is a single point of failure), got ${args.replicas}`);
    }
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(args.leaseName)) throw new Error(`ReplicationFollower ${name}: leaseName "${args.leaseName}" is not a Kubernetes object name`);
}

/**
 * The standby's follower on one cluster: a Deployment of the service that tails the other
 * side's journal and applies it, spread over zones, with a PDB allowing one pod down; only the
 * holder of one named Lease applies, so a second replica takes over within a lease term instead
 * of two applying at once. Its replica count does not follow the serving Deployment: in pilot
 * light the standby serves nothing and still stays current.
 */
export class ReplicationFollower extends pulumi.ComponentResource {
    public readonly deploymentName: pulumi.Output<string>;
    public readonly leaseName: string;

    constructor(name: string, args: ReplicationFollowerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateReplicationFollowerArgs(name, args);
        super("langchain-ha:replication:ReplicationFollower", name, {}, opts);
        const parent = { parent: this };
        const selector = selectorLabels(FOLLOWER_NAME);
        const labels = { ...workloadLabels(FOLLOWER_NAME, "follower"), ...QDRANT_CLIENT_LABEL };

        const role = new k8s.rbac.v1.Role(`${name}-lease`, {
            metadata: { name: FOLLOWER_NAME, namespace: args.namespace, labels },
            rules: [
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [args.leaseName], verbs: ["get", "update", "patch"] },
                // A create request carries no name to authorize against, so it cannot be limited by resourceNames.
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
            ],
        }, parent);
        new k8s.rbac.v1.RoleBinding(`${name}-lease`, {
            metadata: { name: FOLLOWER_NAME, namespace: args.namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: args.identity.serviceAccountName, namespace: args.namespace }],
        }, parent);

        const fieldRef = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
        const env: k8s.types.input.core.v1.EnvVar[] = [
            ...Object.entries(args.env).map(([key, value]) => ({ name: key, value })),
            { name: ENV.port, value: String(HTTP_PORT) },
            ...LISTENER_ENV,
            { name: ENV.dataDir, value: "/data" },
            { name: ENV.replicationApply, value: "true" },
            { name: ENV.leaseName, value: args.leaseName },
            { name: ENV.podName, ...fieldRef("metadata.name") },
            { name: ENV.podNamespace, ...fieldRef("metadata.namespace") },
            ...args.identity.env,
        ];
        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { name: FOLLOWER_NAME, namespace: args.namespace, labels },
            spec: {
                replicas: args.replicas,
                selector: { matchLabels: selector },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: args.identity.serviceAccountName,
                        terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
                        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
                        topologySpreadConstraints: zoneSpread(selector, "DoNotSchedule"),
                        containers: [{
                            name: "follower",
                            image: args.image,
                            env,
                            envFrom: [{ secretRef: { name: args.secretName } }],
                            ports: [{ name: "http", containerPort: HTTP_PORT }, ADMIN_CONTAINER_PORT],
                            readinessProbe: { httpGet: { path: PROBE_PATHS.readyz, port: "http" }, periodSeconds: 5, failureThreshold: 2 },
                            livenessProbe: { httpGet: { path: PROBE_PATHS.livez, port: "http" }, periodSeconds: 10, failureThreshold: 3 },
                            startupProbe: { httpGet: { path: PROBE_PATHS.readyz, port: "http" }, periodSeconds: 2, failureThreshold: 60 },
                            resources: { requests: args.resources, limits: { memory: args.resources.memory } },
                            securityContext: RESTRICTED_CONTAINER,
                            volumeMounts: [{ name: "data", mountPath: "/data" }, ...args.identity.volumeMounts],
                        }],
                        volumes: [{ name: "data", emptyDir: {} }, ...args.identity.volumes],
                    },
                },
            },
        }, parent);
        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: { name: FOLLOWER_NAME, namespace: args.namespace, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, parent);

        this.deploymentName = deployment.metadata.name;
        this.leaseName = args.leaseName;
        this.registerOutputs({ deploymentName: this.deploymentName, leaseName: this.leaseName });
    }
}
