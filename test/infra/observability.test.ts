import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { parse } from "yaml";
import { METRICS_PORT_NAME } from "../../app/src/contract";
import { alertingRules, AwsObservability, GcpObservability, recordingRuleGroups, ruleGroups, withoutPath } from "../../infra/observability";
import { planStack } from "../../infra/plan";
import { stackSpec } from "../observability/specs";
import { declare, Resources, unsecret } from "./harness";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider payloads are untyped

const spec = stackSpec("prod");
const TOPIC = "arn:aws:sns:us-east-1:123456789012:prod-dns-alarms";

function awsSide(extra: { qdrantApiKey?: string } = {}) {
    return declare(() => {
        const provider = new k8s.Provider("eks-k8s", { kubeconfig: "{}" });
        new AwsObservability("obs", {
            spec,
            role: "active",
            clusterName: "prod-eks",
            clusterArn: "arn:aws:eks:us-east-1:123456789012:cluster/prod-eks",
            subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
            securityGroupIds: ["sg-cluster"],
            namespace: "langchain-ha",
            alarmTopicArn: TOPIC,
            k8sProvider: provider,
            ...extra,
        });
    });
}

function gcpSide(extra: { alarmEmail?: string; qdrantApiKeySecretName?: string; role?: "active" | "standby" } = {}) {
    return declare(() => {
        const provider = new k8s.Provider("gke-k8s", { kubeconfig: "{}" });
        new GcpObservability("obs", { spec, role: "standby", project: "acme-rag-dr", clusterName: "prod-gke-cluster", namespace: "langchain-ha", k8sProvider: provider, ...extra });
    });
}

/** Jobs of a scrape configuration with the pod labels, port name and namespace they keep. */
function jobsOf(config: string) {
    const doc = parse(config) as { scrape_configs: Inputs[] };
    return doc.scrape_configs.map((j) => ({
        job: j.job_name as string,
        namespaces: j.kubernetes_sd_configs[0].namespaces.names as string[],
        keeps: Object.fromEntries((j.relabel_configs as Inputs[]).filter((r) => r.action === "keep").map((r) => [r.source_labels[0], r.regex])),
        authorization: j.authorization as Inputs | undefined,
    }));
}

describe("AwsObservability", () => {
    test("a managed scraper on the EKS cluster writes to a workspace, with the cluster's role mapped to a read-only user", async () => {
        const r = await awsSide();
        const workspace = r.ofType("aws:amp/workspace:Workspace");
        assert.equal(workspace.length, 1);
        const scraper = r.one("aws:amp/scraper:Scraper");
        assert.equal(scraper.source.eks.clusterArn, "arn:aws:eks:us-east-1:123456789012:cluster/prod-eks");
        assert.deepEqual(scraper.source.eks.subnetIds, ["subnet-a", "subnet-b", "subnet-c"]);
        assert.deepEqual(scraper.source.eks.securityGroupIds, ["sg-cluster"]);
        assert.equal(scraper.destination.amp.workspaceArn, (workspace[0]!.outputs as Inputs).arn);
        const jobs = jobsOf(unsecret<string>(scraper.scrapeConfiguration));
        assert.deepEqual(jobs.map((j) => j.job), ["langchain-ha", "langchain-ha-follower", "qdrant", "kube-state-metrics"]);
        assert.ok(jobs.every((j) => j.namespaces.length === 1 && j.namespaces[0] === "langchain-ha"));
        assert.equal(jobs[0]!.keeps["__meta_kubernetes_pod_container_port_name"], METRICS_PORT_NAME);
        assert.equal(jobs[0]!.keeps["__meta_kubernetes_pod_label_app_kubernetes_io_name"], "langchain-ha");
        assert.ok(jobs.every((j) => j.authorization === undefined), "no credentials without a Qdrant key");

        const scraperRole = (r.ofType("aws:amp/scraper:Scraper")[0]!.outputs as Inputs).roleArn as string;
        const entry = r.one("aws:eks/accessEntry:AccessEntry");
        assert.equal(entry.principalArn, withoutPath(scraperRole));
        assert.ok(!entry.principalArn.includes("aws-service-role"), entry.principalArn);
        const binding = r.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding");
        assert.deepEqual(binding.subjects, [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: entry.userName }]);
        const role = r.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole");
        assert.ok(role.rules.every((rule: Inputs) => rule.verbs.every((v: string) => ["get", "list", "watch", "describe"].includes(v))), "read-only");
    });

    test("sends Qdrant's API key as a bearer token to Qdrant only, as a secret", async () => {
        const r = await awsSide({ qdrantApiKey: "qdrant-key" });
        const jobs = jobsOf(unsecret<string>(r.one("aws:amp/scraper:Scraper").scrapeConfiguration));
        assert.deepEqual(jobs.map((j) => j.authorization?.credentials), [undefined, undefined, "qdrant-key", undefined]);
        assert.notEqual(unsecret(r.one("aws:amp/scraper:Scraper").scrapeConfiguration), r.one("aws:amp/scraper:Scraper").scrapeConfiguration, "stored as a secret");
    });

    test("loads every generated rule into the workspace and routes alerts to the stack's alarm topic", async () => {
        const r = await awsSide();
        const ns = r.one("aws:amp/ruleGroupNamespace:RuleGroupNamespace");
        assert.deepEqual(parse(ns.data), { groups: ruleGroups(spec, {}, "active") });
        const alerts = alertingRules(spec, {}, "active").map((a) => a.alert);
        assert.ok(!alerts.includes("StandbyNotFitForFailover") && !alerts.includes("ReplicationLagHigh"), "the active side exports fit = 0: no standby alerts there");
        assert.ok(alerts.includes("JournalWriteFailures") && alerts.includes("ErrorBudgetFastBurn"));
        const definition = parse(r.one("aws:amp/alertManagerDefinition:AlertManagerDefinition").definition) as { alertmanager_config: string };
        const am = parse(definition.alertmanager_config) as Inputs;
        const receiver = am.receivers.find((x: Inputs) => x.name === am.route.receiver);
        assert.equal(receiver.sns_configs[0].topic_arn, TOPIC);
        assert.equal(receiver.sns_configs[0].sigv4.region, "us-east-1");
        const policy = r.one("aws:sns/topicPolicy:TopicPolicy");
        assert.equal(policy.arn, TOPIC);
        assert.equal(policy.region, "us-east-1");
        const statements = JSON.parse(policy.policy).Statement as Inputs[];
        const aps = statements.find((s) => s.Principal.Service === "aps.amazonaws.com");
        assert.ok(aps, "AMP may publish");
        assert.equal(aps.Condition.ArnEquals["aws:SourceArn"], (r.ofType("aws:amp/workspace:Workspace")[0]!.outputs as Inputs).arn);
        assert.ok(statements.some((s) => s.Principal.Service === "cloudwatch.amazonaws.com"), "the Route53 alarms keep publishing");
    });

    test("runs kube-state-metrics with two replicas and a PDB on the cluster", async () => {
        const r = await awsSide();
        const ksm = r.onCluster("kubernetes:apps/v1:Deployment", "eks").map((d) => d.inputs as Inputs);
        assert.equal(ksm.length, 1);
        assert.equal(ksm[0]!.spec.replicas, 2);
        assert.ok(ksm[0]!.spec.template.spec.containers[0].args.includes("--namespaces=langchain-ha"));
        const selector = { matchLabels: { "app.kubernetes.io/name": "kube-state-metrics", "app.kubernetes.io/instance": "kube-state-metrics" } };
        assert.deepEqual(ksm[0]!.spec.template.spec.topologySpreadConstraints, [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: selector },
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: selector },
        ]);
        assert.equal(r.onCluster("kubernetes:policy/v1:PodDisruptionBudget", "eks").length, 1);
    });

    test("refuses a scraper in one subnet", () => {
        assert.throws(() => new AwsObservability("obs", {
            spec, role: "active", clusterName: "c", clusterArn: "a", subnetIds: ["subnet-a"], securityGroupIds: [], namespace: "n", alarmTopicArn: TOPIC,
            k8sProvider: undefined as unknown as k8s.Provider,
        }), { message: "AwsObservability obs: the scraper needs subnets in at least 2 zones, got 1" });
    });
});

describe("GcpObservability", () => {
    test("PodMonitorings scrape the metrics port of the service and its followers, every Qdrant peer and kube-state-metrics", async () => {
        const r = await gcpSide();
        const monitorings = r.inputsOf("kubernetes:monitoring.googleapis.com/v1:PodMonitoring");
        assert.deepEqual(monitorings.map((m) => m.metadata.name), ["langchain-ha", "langchain-ha-follower", "qdrant", "kube-state-metrics"]);
        assert.ok(monitorings.every((m) => m.apiVersion === "monitoring.googleapis.com/v1" && m.metadata.namespace === "langchain-ha"));
        const service = monitorings[0]!;
        assert.deepEqual(service.spec.selector.matchLabels, { "app.kubernetes.io/name": "langchain-ha", "app.kubernetes.io/instance": "langchain-ha" });
        assert.equal(service.spec.endpoints[0].port, METRICS_PORT_NAME);
        assert.equal(service.spec.endpoints[0].path, "/metrics");
        assert.equal(monitorings.find((m) => m.metadata.name === "qdrant")!.spec.endpoints[0].authorization, undefined);
    });

    test("with a Qdrant key, the Qdrant PodMonitoring reads it from its secret, which the collector may read", async () => {
        const r = await gcpSide({ qdrantApiKeySecretName: "qdrant-api-key" });
        const qdrant = r.inputsOf("kubernetes:monitoring.googleapis.com/v1:PodMonitoring").find((m) => m.metadata.name === "qdrant")!;
        assert.deepEqual(qdrant.spec.endpoints[0].authorization, { type: "Bearer", credentials: { secret: { name: "qdrant-api-key", key: "api-key" } } });
        const role = r.one("kubernetes:rbac.authorization.k8s.io/v1:Role", "obs-collector-secrets");
        assert.deepEqual(role.rules[0].resourceNames, ["qdrant-api-key"]);
        const binding = r.one("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "obs-collector-secrets");
        assert.deepEqual(binding.subjects, [{ kind: "ServiceAccount", name: "collector", namespace: "gmp-system" }]);
    });

    test("recording rules run in the managed evaluator; each alert is a PromQL alert policy scoped to the cluster", async () => {
        const r = await gcpSide({ alarmEmail: "oncall@example.com" });
        const rules = r.one("kubernetes:monitoring.googleapis.com/v1:Rules");
        assert.deepEqual(rules.spec.groups, recordingRuleGroups(spec));
        const policies = r.inputsOf("gcp:monitoring/alertPolicy:AlertPolicy");
        const alerts = alertingRules(spec, {}, "standby");
        assert.equal(policies.length, alerts.length);
        assert.ok(alerts.some((a) => a.alert === "StandbyNotFitForFailover"), "the standby watches its own fitness");
        const scoped = alertingRules(spec, { cluster: "prod-gke-cluster", namespace: "langchain-ha" }, "standby");
        assert.deepEqual(policies.map((p) => p.conditions[0].conditionPrometheusQueryLanguage.query).sort(), scoped.map((a) => a.expr).sort());
        assert.ok(policies.every((p) => p.conditions[0].conditionPrometheusQueryLanguage.query.includes('cluster="prod-gke-cluster"')));
        const lag = policies.find((p) => p.conditions[0].conditionPrometheusQueryLanguage.alertRule === "ReplicationLagHigh")!;
        assert.equal(lag.severity, "CRITICAL");
        assert.equal(lag.conditions[0].conditionPrometheusQueryLanguage.duration, "120s");
        const channel = r.one("gcp:monitoring/notificationChannel:NotificationChannel");
        assert.equal(channel.type, "email");
        assert.deepEqual(channel.labels, { email_address: "oncall@example.com" });
        const channelName = (r.ofType("gcp:monitoring/notificationChannel:NotificationChannel")[0]!.outputs as Inputs).name;
        assert.ok(policies.every((p) => p.notificationChannels.length === 1 && p.notificationChannels[0] === channelName));
    });

    test("declares the Cloud Monitoring dashboard built from the spec", async () => {
        const r = await gcpSide();
        const board = JSON.parse(r.one("gcp:monitoring/dashboard:Dashboard").dashboardJson);
        assert.equal(board.displayName, "langchain-ha prod");
        const titles = board.mosaicLayout.tiles.map((t: Inputs) => t.widget.title as string);
        for (const wanted of ["Traffic by route", "Error budget left", "Replication lag", "Circuit breakers", "Degraded answers by component", "LLM tokens by provider"]) {
            assert.ok(titles.some((t: string) => t.startsWith(wanted)), `no ${wanted} tile in ${titles.join(", ")}`);
        }
        const queries = board.mosaicLayout.tiles.flatMap((t: Inputs) => t.widget.xyChart.dataSets.map((d: Inputs) => d.timeSeriesQuery.prometheusQuery as string));
        assert.ok(queries.filter((q: string) => q.includes("{")).every((q: string) => q.includes('cluster="prod-gke-cluster"')), "every selector scoped to the cluster");
    });
});

describe("observability in the whole program (prod)", () => {
    test("GKE runs managed collection, and every scrape target selects the pods it is meant for on its cluster", async () => {
        const plan = await planStack("prod");
        const r = new Resources(plan.resources);
        const gke = r.one("gcp:container/cluster:Cluster");
        assert.equal(gke.monitoringConfig.managedPrometheus.enabled, true);
        const podsOf = (cluster: "eks" | "gke", name: string) => [...r.onCluster("kubernetes:apps/v1:Deployment", cluster), ...r.onCluster("kubernetes:apps/v1:StatefulSet", cluster)]
            .map((w) => w.inputs as Inputs)
            .filter((w) => w.metadata.name === name);
        for (const m of r.onCluster("kubernetes:monitoring.googleapis.com/v1:PodMonitoring", "gke").map((x) => x.inputs as Inputs)) {
            const pods = podsOf("gke", m.metadata.name);
            assert.equal(pods.length, 1, `PodMonitoring ${m.metadata.name} has a workload`);
            const labels = pods[0]!.spec.template.metadata.labels;
            assert.ok(Object.entries(m.spec.selector.matchLabels).every(([k, v]) => labels[k] === v), `PodMonitoring ${m.metadata.name} selects its pods`);
            const ports = pods[0]!.spec.template.spec.containers.flatMap((c: Inputs) => c.ports.map((p: Inputs) => p.name));
            assert.ok(ports.includes(m.spec.endpoints[0].port), `${m.metadata.name} has a port named ${m.spec.endpoints[0].port}`);
        }
        const jobs = jobsOf(unsecret<string>(r.one("aws:amp/scraper:Scraper").scrapeConfiguration));
        for (const job of jobs) {
            const pods = podsOf("eks", job.job);
            assert.equal(pods.length, 1, `scrape job ${job.job} has a workload on EKS`);
            const labels = pods[0]!.spec.template.metadata.labels as Record<string, string>;
            const ports = pods[0]!.spec.template.spec.containers.flatMap((c: Inputs) => c.ports.map((p: Inputs) => p.name));
            for (const [meta, regex] of Object.entries(job.keeps)) {
                if (meta === "__meta_kubernetes_pod_container_port_name") assert.ok(ports.includes(regex), `${job.job} keeps port ${regex}`);
                else assert.ok(Object.entries(labels).some(([k, v]) => `__meta_kubernetes_pod_label_${k.replace(/[^A-Za-z0-9_]/g, "_")}` === meta && v === regex), `${job.job}: ${meta}=${regex}`);
            }
        }
        const eks = r.ofType("aws:eks/cluster:Cluster")[0]!;
        assert.equal(r.one("aws:amp/scraper:Scraper").source.eks.clusterArn, (eks.outputs as Inputs).arn);
        const dnsTopic = r.ofType("aws:sns/topic:Topic")[0]!;
        assert.equal(r.one("aws:sns/topicPolicy:TopicPolicy").arn, (dnsTopic.outputs as Inputs).arn, "alerts go to the stack's alarm topic");
        assert.deepEqual((plan.outputs as Inputs).observability.rules, { aws: { recording: 16, alerting: 11 }, gcp: { recording: 16, alerting: 13 } });
        const gcpAlerts = r.inputsOf("gcp:monitoring/alertPolicy:AlertPolicy").map((p) => p.conditions[0].conditionPrometheusQueryLanguage.alertRule);
        assert.ok(gcpAlerts.includes("StandbyNotFitForFailover"), "prod's standby (GCP) alerts on its fitness");
        assert.ok(!unsecret<string>(r.one("aws:amp/ruleGroupNamespace:RuleGroupNamespace").data).includes("StandbyNotFitForFailover"), "prod's active side (AWS) does not");
    });
});
