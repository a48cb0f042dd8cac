import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { cloudMonitoringDashboard, dashboard } from "./dashboards";
import { KubeStateMetrics } from "./kubeStateMetrics";
import { seconds, type Scope } from "./promql";
import { alertingRules, recordingRuleGroups } from "./rules";
import { podMonitoringSpec, scrapeTargets } from "./scrape";
import { JOBS, type ObservabilitySpec, type Severity, type SideRole } from "./spec";

export interface GcpObservabilityArgs {
    spec: ObservabilitySpec;
    /** Whether this side serves or stands by; standby-only alerts are declared on the standby. */
    role: SideRole;
    project: string;
    /** The GKE cluster (with managed collection on); its name scopes the alert queries. */
    clusterName: pulumi.Input<string>;
    /** Namespace of the workloads to scrape (must exist). */
    namespace: pulumi.Input<string>;
    /** Secret (in the namespace) with Qdrant's API key under `api-key`, when Qdrant has one. */
    qdrantApiKeySecretName?: pulumi.Input<string>;
    /** Where alert notifications go; without it incidents only show in Cloud Monitoring. */
    alarmEmail?: string;
    /** The GKE cluster's Kubernetes provider. */
    k8sProvider: k8s.Provider;
}

/** Monitoring API group of Google Cloud Managed Service for Prometheus. */
export const GMP_API_VERSION = "monitoring.googleapis.com/v1";
/** The managed collectors' service account, which reads the secrets PodMonitorings name. */
const GMP_COLLECTOR = { name: "collector", namespace: "gmp-system" };

const SEVERITY: Record<Severity, string> = { page: "CRITICAL", ticket: "WARNING" };

/**
 * Observability of the GCP side: Google Cloud Managed Service for Prometheus scrapes the
 * targets through `PodMonitoring` resources (the cluster runs the managed collectors), the
 * recording rules run in the managed rule evaluator (`Rules`), every alerting rule becomes a
 * Cloud Monitoring alert policy with a PromQL condition scoped to this cluster and namespace,
 * notifying an e-mail channel; the dashboard is a Cloud Monitoring dashboard.
 */
export class GcpObservability extends pulumi.ComponentResource {
    public readonly dashboardId: pulumi.Output<string>;
    public readonly alertPolicyNames: pulumi.Output<string>[];

    constructor(name: string, args: GcpObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("langchain-ha:observability:Gcp", name, {}, opts);
        const parent = { parent: this };
        const k8sOpts = { parent: this, provider: args.k8sProvider };
        const { spec } = args;
        const labels = { "app.kubernetes.io/part-of": "langchain-ha", "app.kubernetes.io/managed-by": "pulumi" };

        const secretName = args.qdrantApiKeySecretName;
        const targets = pulumi.output(secretName).apply((s) => scrapeTargets({ qdrantApiKeySecretName: s }));
        for (const job of Object.values(JOBS)) {
            new k8s.apiextensions.CustomResource(`${name}-${job}`, {
                apiVersion: GMP_API_VERSION,
                kind: "PodMonitoring",
                // The name becomes the series' `job` label, which the rules select on.
                metadata: { name: job, namespace: args.namespace, labels },
                spec: targets.apply((ts) => podMonitoringSpec(ts.find((t) => t.job === job)!)),
            }, k8sOpts);
        }
        if (secretName !== undefined) {
            const reader = new k8s.rbac.v1.Role(`${name}-collector-secrets`, {
                metadata: { name: "gmp-collector-secrets", namespace: args.namespace, labels },
                rules: [{ apiGroups: [""], resources: ["secrets"], resourceNames: [secretName], verbs: ["get", "list", "watch"] }],
            }, k8sOpts);
            new k8s.rbac.v1.RoleBinding(`${name}-collector-secrets`, {
                metadata: { name: "gmp-collector-secrets", namespace: args.namespace, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: reader.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: GMP_COLLECTOR.name, namespace: GMP_COLLECTOR.namespace }],
            }, k8sOpts);
        }

        // Namespaced Rules see only this namespace's series and write theirs back into it.
        new k8s.apiextensions.CustomResource(`${name}-rules`, {
            apiVersion: GMP_API_VERSION,
            kind: "Rules",
            metadata: { name: "langchain-ha-slo", namespace: args.namespace, labels },
            spec: { groups: recordingRuleGroups(spec) },
        }, k8sOpts);

        const channel = args.alarmEmail === undefined ? undefined : new gcp.monitoring.NotificationChannel(`${name}-email`, {
            project: args.project,
            displayName: `langchain-ha ${spec.environment} on-call`,
            type: "email",
            labels: { email_address: args.alarmEmail },
        }, parent);

        const scope = pulumi.all([args.clusterName, args.namespace]).apply(([cluster, namespace]): Scope => ({ cluster, namespace }));
        const rules = alertingRules(spec, {}, args.role);
        this.alertPolicyNames = rules.map((rule, i) => {
            const label = rule.labels["slo"] !== undefined ? `${rule.alert} (${rule.labels["slo"]})` : rule.alert;
            const policy = new gcp.monitoring.AlertPolicy(`${name}-alert-${rule.alert}${rule.labels["slo"] ? `-${rule.labels["slo"]}` : ""}`, {
                project: args.project,
                displayName: `langchain-ha ${spec.environment}: ${label}`,
                combiner: "OR",
                severity: SEVERITY[rule.labels["severity"] as Severity],
                conditions: [{
                    displayName: label,
                    conditionPrometheusQueryLanguage: {
                        query: scope.apply((s) => alertingRules(spec, s, args.role)[i]!.expr),
                        duration: `${seconds(rule.for)}s`,
                        evaluationInterval: "60s",
                        alertRule: rule.alert,
                        labels: rule.labels,
                    },
                }],
                documentation: {
                    subject: rule.annotations["summary"]?.slice(0, 255),
                    content: `${rule.annotations["summary"] ?? ""}\n\nRunbook: ${rule.annotations["runbook_url"] ?? ""}`,
                    mimeType: "text/markdown",
                    // Cloud Monitoring takes only absolute links; a relative README path stays in the text.
                    links: /^https?:\/\//.test(spec.runbookUrl) ? [{ displayName: "Runbook", url: rule.annotations["runbook_url"] }] : [],
                },
                notificationChannels: channel ? [channel.name] : [],
                userLabels: { environment: spec.environment, severity: rule.labels["severity"]! },
            }, parent);
            return policy.name;
        });

        const board = new gcp.monitoring.Dashboard(`${name}-dashboard`, {
            project: args.project,
            dashboardJson: scope.apply((s) => JSON.stringify(cloudMonitoringDashboard(dashboard(spec, s)))),
        }, parent);

        new KubeStateMetrics(`${name}-ksm`, { namespace: args.namespace }, { parent: this, providers: [args.k8sProvider] });

        this.dashboardId = board.id;
        this.registerOutputs({ dashboardId: this.dashboardId, alertPolicyNames: this.alertPolicyNames });
    }
}
