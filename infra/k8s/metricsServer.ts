import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HOST_KEY, RESTRICTED_CONTAINER, zoneSpread } from "./labels";

export interface MetricsServerArgs {
    /** Image. Defaults to registry.k8s.io/metrics-server/metrics-server:v0.8.0. */
    image?: string;
    /** Pods; at least 2 so the resource metrics API (and every HPA) survives a lost node. Defaults to 2. */
    replicas?: number;
}

const NAMESPACE = "kube-system";
const NAME = "metrics-server";
const PORT = 10250;
export const METRICS_SERVER_IMAGE = "registry.k8s.io/metrics-server/metrics-server:v0.8.0";
/** The API the HPA's Resource metrics read; metrics-server serves it through this APIService. */
export const METRICS_API_SERVICE = "v1beta1.metrics.k8s.io";

/** Throws on a metrics server that one lost node would take down. */
export function validateMetricsServerArgs(name: string, args: MetricsServerArgs): void {
    if ((args.replicas ?? 2) < 2) throw new Error(`MetricsServer ${name}: replicas must be at least 2, got ${args.replicas}`);
}

/**
 * The Kubernetes Metrics Server as typed objects (its high-availability manifest): EKS ships
 * none, so without it every HPA on EKS reads no CPU and never scales. Two or more pods on
 * distinct nodes, spread over zones, with a PDB, serving v1beta1.metrics.k8s.io. GKE runs its
 * own, so this is for EKS only.
 */
export class MetricsServer extends pulumi.ComponentResource {
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: MetricsServerArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        validateMetricsServerArgs(name, args);
        super("langchain-ha:k8s:MetricsServer", name, {}, opts);
        const parent = { parent: this };
        const labels = { "k8s-app": NAME, "app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "langchain-ha" };
        const selector = { "k8s-app": NAME };

        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { name: NAME, namespace: NAMESPACE, labels } }, parent);
        new k8s.rbac.v1.ClusterRole(`${name}-aggregated-reader`, {
            metadata: {
                name: "system:aggregated-metrics-reader",
                labels: {
                    ...labels,
                    "rbac.authorization.k8s.io/aggregate-to-admin": "true",
                    "rbac.authorization.k8s.io/aggregate-to-edit": "true",
                    "rbac.authorization.k8s.io/aggregate-to-view": "true",
                },
            },
            rules: [{ apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
        }, parent);
        const role = new k8s.rbac.v1.ClusterRole(`${name}-role`, {
            metadata: { name: `system:${NAME}`, labels },
            rules: [
                { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
                { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
            ],
        }, parent);
        const subjects = [{ kind: "ServiceAccount", name: account.metadata.name, namespace: NAMESPACE }];
        new k8s.rbac.v1.RoleBinding(`${name}-auth-reader`, {
            metadata: { name: `${NAME}-auth-reader`, namespace: NAMESPACE, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "extension-apiserver-authentication-reader" },
            subjects,
        }, parent);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-auth-delegator`, {
            metadata: { name: `${NAME}:system:auth-delegator`, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:auth-delegator" },
            subjects,
        }, parent);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-binding`, {
            metadata: { name: `system:${NAME}`, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
            subjects,
        }, parent);

        const service = new k8s.core.v1.Service(`${name}-service`, {
            metadata: { name: NAME, namespace: NAMESPACE, labels },
            spec: { selector, ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: "https" }] },
        }, parent);
        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { name: NAME, namespace: NAMESPACE, labels },
            spec: {
                replicas: args.replicas ?? 2,
                selector: { matchLabels: selector },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: account.metadata.name,
                        priorityClassName: "system-cluster-critical",
                        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOST_KEY, labelSelector: { matchLabels: selector } }] } },
                        topologySpreadConstraints: zoneSpread(selector, "DoNotSchedule"),
                        containers: [{
                            name: NAME,
                            image: args.image ?? METRICS_SERVER_IMAGE,
                            args: [
                                "--cert-dir=/tmp",
                                `--secure-port=${PORT}`,
                                "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                                "--kubelet-use-node-status-port",
                                "--metric-resolution=15s",
                            ],
                            ports: [{ name: "https", containerPort: PORT, protocol: "TCP" }],
                            readinessProbe: { httpGet: { path: "/readyz", port: "https", scheme: "HTTPS" }, periodSeconds: 10, failureThreshold: 3, initialDelaySeconds: 20 },
                            livenessProbe: { httpGet: { path: "/livez", port: "https", scheme: "HTTPS" }, periodSeconds: 10, failureThreshold: 3 },
                            resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "400Mi" } },
                            securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 1000 },
                            volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                        }],
                        volumes: [{ name: "tmp", emptyDir: {} }],
                    },
                },
            },
        }, parent);
        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: { name: NAME, namespace: NAMESPACE, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, parent);
        new k8s.apiregistration.v1.APIService(`${name}-api`, {
            metadata: { name: METRICS_API_SERVICE, labels },
            spec: {
                group: "metrics.k8s.io",
                version: "v1beta1",
                groupPriorityMinimum: 100,
                versionPriority: 100,
                // The upstream manifest's choice: metrics-server serves a self-signed certificate.
                insecureSkipTLSVerify: true,
                service: { name: service.metadata.name, namespace: NAMESPACE },
            },
        }, { parent: this, dependsOn: [deployment] });

        this.deploymentName = deployment.metadata.name;
        this.registerOutputs({ deploymentName: this.deploymentName });
    }
}
