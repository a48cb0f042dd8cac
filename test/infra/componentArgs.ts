import * as k8s from "@pulumi/kubernetes";
import { CrossCloudBackup, type CrossCloudBackupArgs } from "../../infra/backup";

/** Component arguments shared by the component tests: prod-like values written out once. */
export { DNS_ARGS, QDRANT_ARGS } from "./componentValues";

/** Declares a CrossCloudBackup on two clusters with prod-like arguments and `overrides`. */
export function backup(overrides: Partial<CrossCloudBackupArgs> = {}) {
    return () => {
        const eks = new k8s.Provider("eks-k8s", { kubeconfig: "{}" });
        const gke = new k8s.Provider("gke-k8s", { kubeconfig: "{}" });
        new CrossCloudBackup("backup", {
            stack: "prod",
            activeSide: "aws",
            collection: "documents",
            qdrantPeers: 3,
            qdrantApiKeySecretName: "qdrant-api-key",
            snapshotCron: "*/30 * * * *",
            transferMode: "schedule",
            transferRepeatInterval: "3600s",
            transferStartDate: { year: 2026, month: 11, day: 30 },
            retentionDays: 35,
            noncurrentVersionDays: 30,
            jobImage: "amazon/aws-cli:2.27.50",
            gcpProject: "acme-rag-dr",
            gcpRegion: "europe-west1",
            eksOidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
            eksOidcIssuerHost: "oidc.eks.us-east-1.amazonaws.com/id/ABC",
            gkeWorkloadPool: "acme-rag-dr.svc.id.goog",
            aws: { provider: eks, namespace: "langchain-ha", qdrantHeadlessHost: "qdrant-headless.langchain-ha.svc.cluster.local" },
            gcp: { provider: gke, namespace: "langchain-ha", qdrantHeadlessHost: "qdrant-headless.langchain-ha.svc.cluster.local" },
            ...overrides,
        });
    };
}
