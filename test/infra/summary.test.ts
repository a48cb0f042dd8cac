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
});
