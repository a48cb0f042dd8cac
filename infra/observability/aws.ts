import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { dashboard, grafanaDashboard } from "./dashboards";
import { KubeStateMetrics } from "./kubeStateMetrics";
import { ruleGroups, toRuleFile } from "./rules";
import { scrapeConfiguration, scrapeTargets } from "./scrape";
import { JOBS, type ObservabilitySpec, type SideRole } from "./spec";

export interface AwsObservabilityArgs {
    spec: ObservabilitySpec;
    /** Whether this side serves or stands by; standby-only alerts are declared on the standby. */
    role: SideRole;
    /** The EKS cluster the managed scraper reads, by name (access entry) and ARN (scraper source). */
    clusterName: pulumi.Input<string>;
    clusterArn: pulumi.Input<string>;
    /** Subnets for the scraper's network interfaces: the cluster's private subnets, at least 2 zones. */
    subnetIds: pulumi.Input<string>[];
    /** Security group that lets the scraper reach the pods; the cluster's own security group. */
    securityGroupIds: pulumi.Input<string>[];
    /** Namespace of the workloads to scrape (must exist). */
    namespace: pulumi.Input<string>;
    /** The stack's alarm topic, in any region (Route53 alarms keep it in us-east-1); alerts go there. */
    alarmTopicArn: pulumi.Input<string>;
    /** Qdrant's API key, sent as a bearer token by the scraper when set. */
    qdrantApiKey?: pulumi.Input<string>;
    /** The EKS cluster's Kubernetes provider, for the scraper's RBAC and kube-state-metrics. */
    k8sProvider: k8s.Provider;
    tags?: Record<string, string>;
}

/** The Kubernetes user EKS maps the scraper's role to; AMP's documented name. */
export const SCRAPER_USER = "aps-collector-user";

/** `arn:aws:iam::<acct>:role/<path>/<name>` without its path, as EKS principal mappings expect. */
export function withoutPath(roleArn: string): string {
    return roleArn.replace(/^(arn:[^:]+:iam::\d+:role\/).*\/([^/]+)$/, "$1$2");
}

/** The region of an SNS topic, from its ARN (`arn:aws:sns:<region>:<account>:<name>`). */
export function topicRegion(topicArn: string): string {
    const region = topicArn.split(":")[3];
    if (!region) throw new Error(`not an SNS topic ARN: ${topicArn}`);
    return region;
}

/** The alert manager definition AMP takes: its config routes every alert to the SNS topic. */
export function alertManagerDefinition(topicArn: string, region: string, environment: string): string {
    const config = {
        route: { receiver: "alarm-topic", group_by: ["alertname", "slo"], group_wait: "30s", group_interval: "5m", repeat_interval: "4h" },
        receivers: [{
            name: "alarm-topic",
            sns_configs: [{
                topic_arn: topicArn,
                sigv4: { region },
                subject: `[${environment}] {{ .CommonLabels.severity }}: {{ .CommonLabels.alertname }}`,
                attributes: { severity: "{{ .CommonLabels.severity }}", environment },
            }],
        }],
    };
    return stringify({ alertmanager_config: stringify(config, { lineWidth: 0 }) }, { lineWidth: 0 });
}

/**
 * Observability of the AWS side: an Amazon Managed Service for Prometheus workspace, its
 * agentless managed scraper on the EKS cluster (no agent to run, no long-lived credential:
 * a service-linked role mapped to a read-only cluster role), the generated rules as a rule
 * groups namespace, an alert manager that publishes to the stack's alarm topic,
 * kube-state-metrics for the CronJob series, and the Grafana dashboard as JSON.
 */
export class AwsObservability extends pulumi.ComponentResource {
    public readonly workspaceId: pulumi.Output<string>;
    public readonly prometheusEndpoint: pulumi.Output<string>;
    public readonly scraperArn: pulumi.Output<string>;
    /** Grafana dashboard JSON built from the spec. */
    public readonly grafanaDashboard: string;

    constructor(name: string, args: AwsObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        if (args.subnetIds.length < 2) throw new Error(`AwsObservability ${name}: the scraper needs subnets in at least 2 zones, got ${args.subnetIds.length}`);
        super("langchain-ha:observability:Aws", name, {}, opts);
        const parent = { parent: this };
        const k8sOpts = { parent: this, provider: args.k8sProvider };
        const tags = args.tags ?? {};
        const { spec } = args;

        const workspace = new aws.amp.Workspace(`${name}-workspace`, { alias: `langchain-ha-${spec.environment}`, tags }, parent);

        // What the scraper may read in the cluster; bound to the user EKS maps its role to.
        const collectorRole = new k8s.rbac.v1.ClusterRole(`${name}-collector`, {
            metadata: { name: "aps-collector-role" },
            rules: [
                { apiGroups: [""], resources: ["nodes", "nodes/proxy", "nodes/metrics", "services", "endpoints", "pods", "configmaps"], verbs: ["describe", "get", "list", "watch"] },
                { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
                { nonResourceURLs: ["/metrics"], verbs: ["get"] },
            ],
        }, k8sOpts);
        const binding = new k8s.rbac.v1.ClusterRoleBinding(`${name}-collector`, {
            metadata: { name: "aps-collector-user-role-binding" },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: collectorRole.metadata.name },
            subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: SCRAPER_USER }],
        }, k8sOpts);

        const targets = scrapeTargets({});
        const tokens = args.qdrantApiKey !== undefined ? { [JOBS.qdrant]: args.qdrantApiKey } : {};
        const config = pulumi.all([args.namespace, pulumi.output(tokens)]).apply(([ns, t]) => scrapeConfiguration(targets, ns, t as Record<string, string>));
        const scraper = new aws.amp.Scraper(`${name}-scraper`, {
            alias: `langchain-ha-${spec.environment}`,
            source: { eks: { clusterArn: args.clusterArn, subnetIds: args.subnetIds, securityGroupIds: args.securityGroupIds } },
            destination: { amp: { workspaceArn: workspace.arn } },
            scrapeConfiguration: args.qdrantApiKey !== undefined ? pulumi.secret(config) : config,
            tags,
        }, { parent: this, dependsOn: [binding] });
        new aws.eks.AccessEntry(`${name}-scraper`, {
            clusterName: args.clusterName,
            principalArn: scraper.roleArn.apply(withoutPath),
            userName: SCRAPER_USER,
            type: "STANDARD",
            tags,
        }, parent);

        new aws.amp.RuleGroupNamespace(`${name}-rules`, { workspaceId: workspace.id, name: "langchain-ha", data: toRuleFile(ruleGroups(spec, {}, args.role)), tags }, parent);

        // The topic must let AMP publish; this workspace only (confused-deputy guard).
        new aws.sns.TopicPolicy(`${name}-topic-policy`, {
            region: pulumi.output(args.alarmTopicArn).apply(topicRegion),
            arn: args.alarmTopicArn,
            policy: pulumi.all([args.alarmTopicArn, workspace.arn]).apply(([topicArn, workspaceArn]) => JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "AccountOwner",
                        Effect: "Allow",
                        Principal: { AWS: `arn:aws:iam::${workspaceArn.split(":")[4]}:root` },
                        Action: ["SNS:Publish", "SNS:Subscribe", "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:ListSubscriptionsByTopic"],
                        Resource: topicArn,
                    },
                    {
                        Sid: "CloudWatchAlarms",
                        Effect: "Allow",
                        Principal: { Service: "cloudwatch.amazonaws.com" },
                        Action: "SNS:Publish",
                        Resource: topicArn,
                        Condition: { StringEquals: { "aws:SourceAccount": workspaceArn.split(":")[4] } },
                    },
                    {
                        Sid: "ManagedPrometheusAlerts",
                        Effect: "Allow",
                        Principal: { Service: "aps.amazonaws.com" },
                        Action: ["SNS:Publish", "SNS:GetTopicAttributes"],
                        Resource: topicArn,
                        Condition: { ArnEquals: { "aws:SourceArn": workspaceArn }, StringEquals: { "aws:SourceAccount": workspaceArn.split(":")[4] } },
                    },
                ],
            })),
        }, parent);
        new aws.amp.AlertManagerDefinition(`${name}-alertmanager`, {
            workspaceId: workspace.id,
            definition: pulumi.output(args.alarmTopicArn).apply((arn) => alertManagerDefinition(arn, topicRegion(arn), spec.environment)),
        }, parent);

        new KubeStateMetrics(`${name}-ksm`, { namespace: args.namespace }, { parent: this, providers: [args.k8sProvider] });

        this.workspaceId = workspace.id;
        this.prometheusEndpoint = workspace.prometheusEndpoint;
        this.scraperArn = scraper.arn;
        this.grafanaDashboard = JSON.stringify(grafanaDashboard(dashboard(spec)));
        this.registerOutputs({ workspaceId: this.workspaceId, prometheusEndpoint: this.prometheusEndpoint, scraperArn: this.scraperArn });
    }
}
