import type { DnsFailoverArgs } from "../../infra/dns";
import type { QdrantClusterArgs } from "../../infra/qdrant";

/**
 * Prod-like component arguments written out once. Type imports only, so a test that needs no
 * cloud SDK (the exact tests run once per mutant) loads none by importing them.
 */

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
