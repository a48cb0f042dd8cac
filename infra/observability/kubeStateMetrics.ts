import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RESTRICTED_CONTAINER, selectorLabels, workloadLabels, zoneSpread } from "../k8s/labels";
import { KSM_METRICS_PORT } from "./scrape";

export interface KubeStateMetricsArgs {
    namespace: pulumi.Input<string>;
    /** Image; defaults to the upstream release whose example manifest these probes and ports follow. */
    image?: string;
    /** Replicas; defaults to 2 so one pod down keeps the series (rules take the max over pods). */
    replicas?: number;
}

const NAME = "kube-state-metrics";
const TELEMETRY_PORT = 8081;
export const KSM_IMAGE = "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.18.0";
/** Only what the alerts read: CronJob and Job state in this namespace (cheap, and a Role suffices). */
const RESOURCES = "cronjobs,jobs";

/**
 * kube-state-metrics limited to the namespace's CronJobs and Jobs: the source of
 * `kube_cronjob_status_last_successful_time`, which neither managed collector provides
 * (GKE's kube-state package has no CronJob metrics; AMP's scraper only scrapes).
 */
export class KubeStateMetrics extends pulumi.ComponentResource {
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: KubeStateMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
        const replicas = args.replicas ?? 2;
        if (replicas < 2) throw new Error(`KubeStateMetrics ${name}: replicas must be at least 2, got ${replicas}`);
        super("langchain-ha:observability:KubeStateMetrics", name, {}, opts);
        const parent = { parent: this };
        const labels = workloadLabels(NAME, "metrics");
        const selector = selectorLabels(NAME);

        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { name: NAME, namespace: args.namespace, labels } }, parent);
        const role = new k8s.rbac.v1.Role(`${name}-role`, {
            metadata: { name: NAME, namespace: args.namespace, labels },
            rules: [{ apiGroups: ["batch"], resources: ["cronjobs", "jobs"], verbs: ["list", "watch"] }],
        }, parent);
        new k8s.rbac.v1.RoleBinding(`${name}-binding`, {
            metadata: { name: NAME, namespace: args.namespace, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
            subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: args.namespace }],
        }, parent);

        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { name: NAME, namespace: args.namespace, labels },
            spec: {
                replicas,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: account.metadata.name,
                        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
                        topologySpreadConstraints: zoneSpread(selector, "DoNotSchedule"),
                        containers: [{
                            name: NAME,
                            image: args.image ?? KSM_IMAGE,
                            args: [
                                `--resources=${RESOURCES}`,
                                pulumi.interpolate`--namespaces=${args.namespace}`,
                                "--port=8080",
                                `--telemetry-port=${TELEMETRY_PORT}`,
                            ],
                            ports: [{ name: KSM_METRICS_PORT, containerPort: 8080 }, { name: "telemetry", containerPort: TELEMETRY_PORT }],
                            livenessProbe: { httpGet: { path: "/livez", port: KSM_METRICS_PORT }, periodSeconds: 10, failureThreshold: 3 },
                            readinessProbe: { httpGet: { path: "/readyz", port: "telemetry" }, periodSeconds: 5, failureThreshold: 2 },
                            resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                            securityContext: RESTRICTED_CONTAINER,
                        }],
                    },
                },
            },
        }, parent);

        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: { name: NAME, namespace: args.namespace, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, parent);

        this.deploymentName = deployment.metadata.name;
        this.registerOutputs({ deploymentName: this.deploymentName });
    }
}
