import * as k8s from "@pulumi/kubernetes";
import { CrossCloudBackup, type CrossCloudBackupArgs } from "../../infra/backup";
import type { DnsFailoverArgs } from "../../infra/dns";
import type { QdrantClusterArgs } from "../../infra/qdrant";

/** Component arguments shared by the component tests: prod-like values written out once. */

export const DNS_ARGS: DnsFailoverArgs = {
    hostedZoneId: "Z0123456789ABC",
    domain: "rag.example.com",
    activeSide: "aws",
    aws: { kind: "hostname", value: "abc.elb.us-east-1.amazonaws.com" },
    gcp: { kind: "ip", value: "34.1.2.3" },
    ttlSeconds: 30,
    intervalSeconds: 10,
    failureThreshold: 3,
    checkerRegions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
    alarmEmail: "oncall@example.com",
};

export const QDRANT_ARGS: QdrantClusterArgs = {
    namespace: "langchain-ha",
    image: "qdrant/qdrant:v1.15.4",
    replicas: 3,
    replicationFactor: 2,
    writeConsistencyFactor: 1,
    storageGi: 50,
    storageClass: "gp3",
    resources: { cpu: "1", memory: "4Gi" },
    apiKeySecretName: "qdrant-api-key",
};

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
