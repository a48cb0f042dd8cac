import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { planStack } from "../../infra/plan";
import { renderSummary } from "../../infra/plan/summary";

describe("plan summary", () => {
    test("shows the control-plane access, add-ons, network policies, encryption, transfer schedule and alarm key", async () => {
        const lines = renderSummary(await planStack("dev")).split("\n");
        const today = new Date();
        const date = `${today.getUTCFullYear()}-${String(today.getUTCMonth() + 1).padStart(2, "0")}-${String(today.getUTCDate()).padStart(2, "0")}`;
        for (const expected of [
            "  EKS dev-eks 1.35 (STANDARD support)",
            "    API: private + public for 203.0.113.0/24; 2 admin access entries, 1 other (read-only scraper)",
            "    add-ons: vpc-cni (network policy), aws-ebs-csi-driver (IRSA)",
            "    API: private + public for 203.0.113.0/24; Dataplane V2 (network policy); secrets KMS-encrypted",
            "Network policies: eks default-deny-ingress, langchain-ha, qdrant; gke default-deny-ingress, langchain-ha, qdrant",
            "  eks  Deployment cluster-autoscaler: 2 replicas, PDB",
            "  eks  Deployment metrics-server: 2 replicas, PDB",
            `Backups: snapshots 0 */2 * * * to S3, schedule-driven Storage Transfer to GCS every 7200s from ${date}`,
            "Alarms: SNS topic under its own KMS key",
        ]) {
            assert.ok(lines.includes(expected), `missing line: ${expected}\n${lines.join("\n")}`);
        }
        assert.ok(lines.some((l) => /^  GKE dev-gke-cluster-\w+: regional, node pool over europe-west4-a, europe-west4-b, 2-3 nodes per zone \(starts with 2\)$/.test(l)));
    });

    test("shows every decision that changes cost, exposure or availability, and that pilot light fails over through the runbook", async () => {
        const plan = await planStack("dev");
        const lines = renderSummary(plan).split("\n");
        for (const expected of [
            "  app replicas: aws 2-4 (HPA); gcp 0 (pilot light; failover scales to 2)",
            "  EKS nodes: t3.large SPOT, 100 GB disk, 1/2/3 min/desired/max in each of 2 zones",
            "  GKE nodes: e2-standard-2, 100 GB disk, 2-3 per zone in 2 zones; deletion protection off",
            "  storage: Qdrant 10 GiB per peer (gp3 on AWS, premium-rwo on GCP; 60 GiB in all, volumes retained on delete); backups kept 7 days",
            "  LLM providers: openai then google (openai gpt-5.4-mini, google gemini-2.5-flash)",
            "Pilot light fails over only through the runbook (npm run dr -- failover --to <standby>): DNS alone would move traffic to a side with no app pod.",
        ]) {
            assert.ok(lines.includes(expected), `missing line: ${expected}\n${lines.join("\n")}`);
        }
        assert.ok(lines.some((l) => l.startsWith("  images: app ghcr.io/acme/langchain-ha:0.1.0; qdrant qdrant/qdrant:v1.15.4; backup job amazon/aws-cli:2.27.50")), lines.join("\n"));
        assert.ok(lines.some((l) => l.startsWith("  alarm email: none (the alarm topic has no subscriber); none on the standby's health check")));
        assert.ok(lines.includes("  langchain-ha:dns.alarmEmail is not set: the alarm topic has no subscriber, so a failed health check or a burning SLO pages nobody; set it, or subscribe the topic (output alarmTopicArn) to your pager"));
    });
});
