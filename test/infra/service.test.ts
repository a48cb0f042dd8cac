import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { ADMIN_PORT, HTTP_PORT, HTTPS_PORT, PROBE_PATHS, TERMINATION_GRACE_SECONDS } from "../../app/src/contract";
import { apiKeysEnv, LangchainService, monitoringPeers, validateLangchainServiceArgs, type LangchainServiceArgs } from "../../infra/service";
import { declare, envOf, unsecret } from "./harness";

const serving = { kind: "serving" as const, replicas: 3, maxReplicas: 12, targetCpuPercent: 70 };
const onAws: LangchainServiceArgs = {
    namespace: "langchain-ha",
    image: "ghcr.io/acme/langchain-ha:0.1.0",
    scale: serving,
    cloud: "aws",
    env: { QDRANT_URL: "http://qdrant:6333" },
    monitoringPeers: [{ ipBlock: { cidr: "10.20.0.0/16" } }],
    secretEnv: { OPENAI_API_KEY: "sk-test", GOOGLE_API_KEY: undefined },
    resources: { cpu: "500m", memory: "1Gi" },
    certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
};
const onGcp: LangchainServiceArgs = { ...onAws, cloud: "gcp", certificateArn: undefined, tls: { certificate: "CERT", privateKey: "KEY" } };

describe("LangchainService", () => {
    test("runs the serving replicas spread over zones, with probes on the service's own paths", async () => {
        const r = await declare(() => new LangchainService("app", onAws));
        const d = r.one("kubernetes:apps/v1:Deployment");
        assert.equal(d.spec.replicas, 3);
        assert.equal(d.spec.strategy.rollingUpdate.maxUnavailable, 0);
        const pod = d.spec.template.spec;
        assert.equal(pod.terminationGracePeriodSeconds, TERMINATION_GRACE_SECONDS);
        assert.ok(pod.topologySpreadConstraints.some((c: { topologyKey: string; whenUnsatisfiable: string }) => c.topologyKey === "topology.kubernetes.io/zone" && c.whenUnsatisfiable === "DoNotSchedule"));
        const c = pod.containers[0];
        assert.equal(c.readinessProbe.httpGet.path, PROBE_PATHS.readyz);
        assert.equal(c.livenessProbe.httpGet.path, PROBE_PATHS.livez);
        assert.equal(c.startupProbe.httpGet.path, PROBE_PATHS.readyz);
        assert.deepEqual(c.ports, [{ name: "http", containerPort: HTTP_PORT }, { name: "admin", containerPort: ADMIN_PORT }]);
        assert.equal(envOf(c).HOST, "0.0.0.0", "all interfaces: the service's own default is loopback");
        assert.equal(envOf(c).ADMIN_PORT, String(ADMIN_PORT));
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) assert.equal(probe.httpGet.port, "http", "probes test the serving listener");
        assert.deepEqual(c.lifecycle.preStop, { sleep: { seconds: 5 } });
        assert.equal(c.securityContext.runAsNonRoot, true);
    });

    test("autoscales from the replica count and keeps a PDB that allows one pod down", async () => {
        const r = await declare(() => new LangchainService("app", onAws));
        const hpa = r.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler");
        assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [3, 12]);
        assert.equal(hpa.spec.scaleTargetRef.name, "langchain-ha");
        const pdb = r.one("kubernetes:policy/v1:PodDisruptionBudget");
        assert.equal(pdb.spec.maxUnavailable, 1);
        assert.deepEqual(pdb.spec.selector.matchLabels, r.one("kubernetes:apps/v1:Deployment").spec.selector.matchLabels);
    });

    test("on AWS: an internet-facing cross-zone NLB that ends TLS with the ACM certificate", async () => {
        const r = await declare(() => new LangchainService("app", onAws));
        const svc = r.one("kubernetes:core/v1:Service");
        assert.equal(svc.spec.type, "LoadBalancer");
        assert.deepEqual(svc.spec.ports, [{ name: "https", port: 443, targetPort: "http", protocol: "TCP" }]);
        const a = svc.metadata.annotations;
        assert.equal(a["service.beta.kubernetes.io/aws-load-balancer-type"], "nlb");
        assert.equal(a["service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled"], "true");
        assert.equal(a["service.beta.kubernetes.io/aws-load-balancer-ssl-cert"], onAws.certificateArn);
        assert.equal(a["service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy"], "ELBSecurityPolicy-TLS13-1-2-2021-06", "TLS 1.2+ instead of the 2016 default");
        assert.deepEqual(Object.keys(a).filter((k) => k.startsWith("service.beta.kubernetes.io/")).sort(), [
            "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled",
            "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path",
            "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol",
            "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
            "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy",
            "service.beta.kubernetes.io/aws-load-balancer-ssl-ports",
            "service.beta.kubernetes.io/aws-load-balancer-type",
        ], "only annotations the in-tree NLB controller reads");
        const secret = r.one("kubernetes:core/v1:Secret");
        assert.deepEqual(unsecret(secret.stringData), { OPENAI_API_KEY: "sk-test" }, "unset secrets are left out");
    });

    test("the Service declares the deep health path Route53 probes, on both clouds, and nothing else of ours", async () => {
        for (const args of [onAws, onGcp]) {
            const a = (await declare(() => new LangchainService("app", args))).one("kubernetes:core/v1:Service").metadata.annotations;
            assert.equal(a["langchain-ha.io/health-path"], "/health");
            assert.deepEqual(Object.keys(a).filter((k) => k.startsWith("langchain-ha.io/")), ["langchain-ha.io/health-path"]);
        }
    });

    test("on GCP: pods serve TLS themselves from a mounted certificate", async () => {
        const r = await declare(() => new LangchainService("app", onGcp));
        const svc = r.one("kubernetes:core/v1:Service");
        assert.equal(svc.spec.ports[0].targetPort, "https");
        const c = r.one("kubernetes:apps/v1:Deployment").spec.template.spec.containers[0];
        const env = envOf(c);
        assert.equal(env.HTTPS_PORT, String(HTTPS_PORT));
        assert.equal(env.TLS_CERT_FILE, "/etc/langchain-ha/tls/tls.crt");
        assert.ok(c.volumeMounts.some((m: { name: string; readOnly?: boolean }) => m.name === "tls" && m.readOnly));
        assert.equal(r.one("kubernetes:core/v1:Secret", "app-tls").type, "kubernetes.io/tls");
    });

    test("a pilot-light standby has no pods, no HPA, and says how far failover scales it", async () => {
        const r = await declare(() => new LangchainService("app", { ...onGcp, scale: { kind: "standby", failoverReplicas: 3 } }));
        const d = r.one("kubernetes:apps/v1:Deployment");
        assert.equal(d.spec.replicas, 0);
        assert.equal(d.metadata.annotations["langchain-ha.io/standby"], "pilot-light");
        assert.equal(d.metadata.annotations["langchain-ha.io/failover-replicas"], "3");
        assert.equal(r.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").length, 0);
    });

    test("a pilot-light standby's Service waits for its load balancer address, not for endpoints it cannot have", async () => {
        const standby = await declare(() => new LangchainService("app", { ...onGcp, scale: { kind: "standby", failoverReplicas: 3 } }));
        assert.equal(standby.one("kubernetes:core/v1:Service").metadata.annotations["pulumi.com/waitFor"], "jsonpath={.status.loadBalancer.ingress}");
        const serving = await declare(() => new LangchainService("app", onGcp));
        assert.equal(serving.one("kubernetes:core/v1:Service").metadata.annotations["pulumi.com/waitFor"], undefined, "a serving side keeps the full await");
    });

    test("the pods are reachable only on the port their load balancer targets, and by in-cluster clients labelled for it on the plain port", async () => {
        for (const [args, port] of [[onAws, HTTP_PORT], [onGcp, HTTPS_PORT]] as const) {
            const r = await declare(() => new LangchainService("app", args));
            const policy = r.one("kubernetes:networking.k8s.io/v1:NetworkPolicy");
            assert.deepEqual(policy.spec, {
                podSelector: { matchLabels: r.one("kubernetes:apps/v1:Deployment").spec.selector.matchLabels },
                policyTypes: ["Ingress"],
                ingress: [
                    { ports: [{ protocol: "TCP", port }] },
                    { from: [{ podSelector: { matchLabels: { "langchain-ha/internal-client": "true" } } }], ports: [{ protocol: "TCP", port: HTTP_PORT }] },
                    { from: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: ADMIN_PORT }] },
                ],
            }, args.cloud);
        }
    });

    test("no load balancer exposes the admin port, on either cloud", async () => {
        for (const args of [onAws, onGcp]) {
            const r = await declare(() => new LangchainService("app", args));
            const svc = r.one("kubernetes:core/v1:Service");
            assert.equal(svc.spec.type, "LoadBalancer");
            assert.deepEqual(svc.spec.ports.map((p: { targetPort: string }) => p.targetPort), [args.cloud === "aws" ? "http" : "https"]);
        }
    });

    test("the admin port admits GKE's managed collectors by namespace, and on EKS the VPC where the managed scraper's interfaces live", () => {
        assert.deepEqual(monitoringPeers("gcp", "10.20.0.0/16"), [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gmp-system" } } }]);
        assert.deepEqual(monitoringPeers("aws", "10.20.0.0/16"), [{ ipBlock: { cidr: "10.20.0.0/16" } }]);
    });

    test("mounts the API keys as SHA-256 hashes per scope, never the keys", async () => {
        const sha = (k: string) => createHash("sha256").update(k).digest("hex");
        const [read, next, write] = ["read-key-0123456789abcdef", "read-key-next-0123456789", "write-key-0123456789abcdef"];
        const r = await declare(() => new LangchainService("app", { ...onAws, secretEnv: { API_KEYS: apiKeysEnv({ read: `${read}, ${next}`, write }) } }));
        const stored = unsecret<Record<string, string>>(r.one("kubernetes:core/v1:Secret").stringData).API_KEYS;
        assert.deepEqual(stored.split(","), [
            `key-${sha(read).slice(0, 12)}:read:${sha(read)}`,
            `key-${sha(next).slice(0, 12)}:read:${sha(next)}`,
            `key-${sha(write).slice(0, 12)}:write:${sha(write)}`,
        ]);
        assert.doesNotMatch(stored, /key-0123/);
    });

    test("refuses a single serving replica and missing TLS material", () => {
        assert.throws(() => validateLangchainServiceArgs("app", { ...onAws, scale: { ...serving, replicas: 1 } }), { message: "LangchainService app: a serving deployment needs at least 2 replicas, got 1" });
        assert.throws(() => validateLangchainServiceArgs("app", { ...onAws, scale: { kind: "standby", failoverReplicas: 1 } }), { message: "LangchainService app: failoverReplicas must be at least 2" });
        assert.throws(() => validateLangchainServiceArgs("app", { ...onAws, certificateArn: undefined }), /certificateArn is required on aws/);
        assert.throws(() => validateLangchainServiceArgs("app", { ...onGcp, tls: undefined }), /tls certificate and key are required on gcp/);
        assert.doesNotThrow(() => validateLangchainServiceArgs("app", onGcp));
    });
});
