import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DnsFailover } from "../../infra/dns";
import { QdrantCluster } from "../../infra/qdrant";
import { LangchainService } from "../../infra/service";
import { backup, DNS_ARGS, QDRANT_ARGS } from "./componentArgs";
import { declare, envOf } from "./harness";

/**
 * Exact values of what each component declares where a silent change would make the
 * deployment fail without any other test noticing: alarms that can never fire, selectors that
 * match nothing, claims deleted on scale-down, backups expiring early. Every expected value is
 * written out here, never read back from the code under test.
 */

describe("DnsFailover alarms (exact)", () => {
    test("each side's alarm fires when the health check's minimum status drops below 1 within one 60 s period", async () => {
        const r = await declare(() => new DnsFailover("dns", DNS_ARGS));
        const checkIds = Object.fromEntries(r.ofType("aws:route53/healthCheck:HealthCheck").map((c) => [c.name, c.id]));
        const topic = r.ofType("aws:sns/topic:Topic");
        assert.equal(topic.length, 1);
        for (const side of ["aws", "gcp"]) {
            const alarm = r.one("aws:cloudwatch/metricAlarm:MetricAlarm", `dns-${side}-unhealthy`);
            // Route53's HealthCheckStatus is 1 when healthy and 0 when not: the minimum over a
            // minute below 1 means at least one failed evaluation in that minute.
            assert.equal(alarm.region, "us-east-1", "Route53 publishes health metrics only in us-east-1");
            assert.equal(alarm.namespace, "AWS/Route53");
            assert.equal(alarm.metricName, "HealthCheckStatus");
            assert.deepEqual(alarm.dimensions, { HealthCheckId: checkIds[`dns-${side}`] });
            assert.equal(alarm.statistic, "Minimum");
            assert.equal(alarm.period, 60);
            assert.equal(alarm.evaluationPeriods, 1);
            assert.equal(alarm.threshold, 1);
            assert.equal(alarm.comparisonOperator, "LessThanThreshold");
            assert.equal(alarm.treatMissingData, "breaching", "a check that stops reporting is an outage too");
            assert.equal(alarm.alarmActions.length, 1);
            assert.equal(alarm.okActions.length, 1);
            assert.equal(alarm.alarmActions[0], alarm.okActions[0]);
            assert.match(alarm.alarmActions[0], /^arn:aws:sns:us-east-1:123456789012:dns-alarms/);
        }
    });
});

const SERVICE_SELECTOR = { "app.kubernetes.io/name": "langchain-ha", "app.kubernetes.io/instance": "langchain-ha" };

/** Every label of `selector` carried by `labels` with the same value (how Kubernetes matches). */
function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
    return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe("LangchainService selectors (exact)", () => {
    test("the public Service, the PDB and both spread constraints select exactly the Deployment's pods", async () => {
        const r = await declare(() => new LangchainService("app", {
            namespace: "langchain-ha",
            image: "ghcr.io/acme/langchain-ha:0.1.0",
            scale: { kind: "serving", replicas: 3, maxReplicas: 12, targetCpuPercent: 70 },
            cloud: "aws",
            env: {},
            secretEnv: {},
            resources: { cpu: "500m", memory: "1Gi" },
            monitoringPeers: [{ ipBlock: { cidr: "10.20.0.0/16" } }],
            certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        }));
        const deployment = r.one("kubernetes:apps/v1:Deployment");
        const podLabels = deployment.spec.template.metadata.labels;
        assert.deepEqual(podLabels, {
            "app.kubernetes.io/name": "langchain-ha",
            "app.kubernetes.io/instance": "langchain-ha",
            "app.kubernetes.io/component": "api",
            "app.kubernetes.io/part-of": "langchain-ha",
            "app.kubernetes.io/managed-by": "pulumi",
        });
        assert.deepEqual(deployment.spec.selector.matchLabels, SERVICE_SELECTOR);
        const service = r.one("kubernetes:core/v1:Service");
        assert.deepEqual(service.spec.selector, SERVICE_SELECTOR);
        assert.ok(selects(service.spec.selector, podLabels), "the load balancer's Service has endpoints");
        assert.deepEqual(r.one("kubernetes:policy/v1:PodDisruptionBudget").spec.selector.matchLabels, SERVICE_SELECTOR);
        assert.deepEqual(deployment.spec.template.spec.topologySpreadConstraints, [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: SERVICE_SELECTOR } },
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: SERVICE_SELECTOR } },
        ]);
        for (const c of deployment.spec.template.spec.topologySpreadConstraints) assert.ok(selects(c.labelSelector.matchLabels, podLabels));
    });
});

describe("QdrantCluster volumes (exact)", () => {
    test("claims survive scale-down and deletion, and the snapshot volume is mounted where Qdrant writes snapshots", async () => {
        const r = await declare(() => new QdrantCluster("qdrant", QDRANT_ARGS));
        const sts = r.one("kubernetes:apps/v1:StatefulSet");
        assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: "Retain", whenScaled: "Retain" });
        const container = sts.spec.template.spec.containers[0];
        assert.deepEqual(container.volumeMounts, [
            { name: "storage", mountPath: "/qdrant/storage" },
            { name: "snapshots", mountPath: "/qdrant/snapshots" },
            { name: "init", mountPath: "/qdrant/init" },
        ]);
        const env = envOf(container);
        assert.equal(env.QDRANT__STORAGE__STORAGE_PATH, "/qdrant/storage");
        assert.equal(env.QDRANT__STORAGE__SNAPSHOTS_PATH, "/qdrant/snapshots");
        assert.deepEqual(sts.spec.volumeClaimTemplates, [
            { metadata: { name: "storage" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "50Gi" } } } },
            { metadata: { name: "snapshots" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "25Gi" } } } },
        ]);
        assert.deepEqual(sts.spec.selector.matchLabels, { "app.kubernetes.io/name": "qdrant", "app.kubernetes.io/instance": "qdrant" });
        for (const c of sts.spec.template.spec.topologySpreadConstraints) assert.deepEqual(c.labelSelector.matchLabels, sts.spec.selector.matchLabels);
    });
});

describe("CrossCloudBackup retention and snapshot job (exact)", () => {
    for (const activeSide of ["aws", "gcp"] as const) {
        test(`${activeSide} active: the GCS copy keeps 35 days of live and 30 of replaced versions, and the job reads Qdrant's API key`, async () => {
            const r = await declare(backup({ activeSide, transferMode: "event", transferRepeatInterval: "1800s" }));
            const gcs = r.one("gcp:storage/bucket:Bucket");
            assert.deepEqual(gcs.versioning, { enabled: true });
            assert.equal(gcs.forceDestroy, false);
            assert.deepEqual(gcs.lifecycleRules, [
                { action: { type: "Delete" }, condition: { age: 35, withState: "LIVE" } },
                { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
            ]);
            const cronJob = r.one("kubernetes:batch/v1:CronJob");
            assert.equal(cronJob.spec.schedule, "*/30 * * * *");
            assert.equal(cronJob.spec.concurrencyPolicy, "Forbid");
            const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
            const apiKey = container.env.filter((e: { name: string }) => e.name === "QDRANT_API_KEY");
            assert.deepEqual(apiKey, [{ name: "QDRANT_API_KEY", valueFrom: { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } } }]);
            const env = envOf(container);
            assert.equal(env.TARGET, activeSide === "aws" ? "s3" : "gcs");
            assert.equal(env.COLLECTION, "documents");
            assert.equal(env.PEERS, "3");
            assert.equal(env.QDRANT_PORT, "6333");
            assert.equal(env.HEADLESS_HOST, "qdrant-headless.langchain-ha.svc.cluster.local");
            assert.deepEqual(container.command, ["/bin/bash", "/scripts/snapshot.sh"]);
            assert.deepEqual(container.volumeMounts, [{ name: "scripts", mountPath: "/scripts" }, { name: "tmp", mountPath: "/tmp" }]);
        });
    }
});
