import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { LangchainService, validateLangchainServiceArgs, type LangchainServiceArgs } from "../../infra/service/workload";
import { cloudMocks } from "../../infra/plan/mocks";
import { declare, unsecret, type Resources } from "./harness";

/**
 * Every value LangchainService declares, written out by hand: replicas and rollout, probes,
 * drain, environment, ports, selectors, load balancer annotations, autoscaling, disruption
 * budget and network policy. A changed period, port or selector would take the service down or
 * out of its load balancer without any other check noticing; none of the expected values below
 * is computed by the component's code.
 */

const POD_LABELS = {
    "app.kubernetes.io/name": "langchain-ha",
    "app.kubernetes.io/instance": "langchain-ha",
    "app.kubernetes.io/component": "api",
    "app.kubernetes.io/part-of": "langchain-ha",
    "app.kubernetes.io/managed-by": "pulumi",
};
const SELECTOR = { "app.kubernetes.io/name": "langchain-ha", "app.kubernetes.io/instance": "langchain-ha" };

const IDENTITY = {
    serviceAccountName: "langchain-ha-api",
    env: [{ name: "AWS_ROLE_ARN", value: "arn:aws:iam::123456789012:role/api" }],
    volumes: [{ name: "aws-token", projected: { sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", path: "token" } }] } }],
    volumeMounts: [{ name: "aws-token", mountPath: "/var/run/secrets/aws", readOnly: true }],
};

const ON_AWS: LangchainServiceArgs = {
    namespace: "langchain-ha",
    image: "ghcr.io/acme/langchain-ha:0.1.0",
    scale: { kind: "serving", replicas: 3, maxReplicas: 12, targetCpuPercent: 70 },
    cloud: "aws",
    env: { QDRANT_URL: "http://qdrant:6333" },
    monitoringPeers: [{ ipBlock: { cidr: "10.20.0.0/16" } }],
    secretEnv: { OPENAI_API_KEY: "sk-test", GOOGLE_API_KEY: undefined },
    resources: { cpu: "500m", memory: "1Gi" },
    certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
    identity: IDENTITY,
};

const ON_GCP_STANDBY: LangchainServiceArgs = {
    namespace: "langchain-ha",
    image: "ghcr.io/acme/langchain-ha:0.1.0",
    scale: { kind: "standby", failoverReplicas: 4 },
    cloud: "gcp",
    env: { QDRANT_URL: "http://qdrant:6333" },
    monitoringPeers: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gmp-system" } } }],
    secretEnv: { ANTHROPIC_API_KEY: "sk-ant" },
    resources: { cpu: "1", memory: "2Gi" },
    tls: { certificate: "CERT", privateKey: "KEY" },
};

/** The service declared on a cluster whose provider is named after it, with the Deployment's ignoreChanges. */
async function service(args: LangchainServiceArgs, cluster: "eks" | "gke"): Promise<{ r: Resources; ignoreChanges: Record<string, string[] | undefined> }> {
    const ignoreChanges: Record<string, string[] | undefined> = {};
    const r = await declare(() => {
        const provider = new k8s.Provider(`${cluster}-k8s`, { kubeconfig: "{}" });
        new LangchainService("app", args, {
            provider,
            transformations: [(t: pulumi.ResourceTransformationArgs) => {
                ignoreChanges[t.type] = t.opts.ignoreChanges;
                return undefined;
            }],
        });
    });
    return { r, ignoreChanges };
}

function componentOutputs(r: Resources): Record<string, unknown> {
    const component = r.ofType("langchain-ha:service:LangchainService");
    assert.equal(component.length, 1);
    for (const child of r.all.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) assert.equal(child.parent, component[0]!.urn, `${child.type} is a child of the component`);
    return component[0]!.outputs;
}

const PROBES = {
    readinessProbe: { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 5, failureThreshold: 2 },
    livenessProbe: { httpGet: { path: "/livez", port: "http" }, periodSeconds: 10, failureThreshold: 3 },
    startupProbe: { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 2, failureThreshold: 60 },
};

const RESTRICTED = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

const SPREAD = [
    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: SELECTOR } },
    { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: SELECTOR } },
];

describe("LangchainService on AWS, serving (exact)", () => {
    let declared: Promise<{ r: Resources; ignoreChanges: Record<string, string[] | undefined> }> | undefined;
    const aws = () => (declared ??= service(ON_AWS, "eks"));

    test("the Deployment: 3 replicas never below during a rollout, spread over zones, probed, drained, locked down", async () => {
        const { r, ignoreChanges } = await aws();
        assert.deepEqual(r.one("kubernetes:apps/v1:Deployment"), {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: "langchain-ha", namespace: "langchain-ha", labels: POD_LABELS, annotations: {} },
            spec: {
                replicas: 3,
                selector: { matchLabels: SELECTOR },
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
                template: {
                    metadata: { labels: POD_LABELS },
                    spec: {
                        serviceAccountName: "langchain-ha-api",
                        terminationGracePeriodSeconds: 45,
                        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
                        topologySpreadConstraints: SPREAD,
                        containers: [{
                            name: "api",
                            image: "ghcr.io/acme/langchain-ha:0.1.0",
                            env: [
                                { name: "QDRANT_URL", value: "http://qdrant:6333" },
                                { name: "PORT", value: "8080" },
                                { name: "HOST", value: "0.0.0.0" },
                                { name: "ADMIN_PORT", value: "9090" },
                                { name: "DATA_DIR", value: "/data" },
                                { name: "AWS_ROLE_ARN", value: "arn:aws:iam::123456789012:role/api" },
                            ],
                            envFrom: [{ secretRef: { name: "langchain-ha-secrets" } }],
                            ports: [{ name: "http", containerPort: 8080 }, { name: "admin", containerPort: 9090 }],
                            ...PROBES,
                            lifecycle: { preStop: { sleep: { seconds: 5 } } },
                            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { memory: "1Gi" } },
                            securityContext: RESTRICTED,
                            volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "aws-token", mountPath: "/var/run/secrets/aws", readOnly: true }],
                        }],
                        volumes: [
                            { name: "data", emptyDir: {} },
                            { name: "aws-token", projected: { sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", path: "token" } }] } },
                        ],
                    },
                },
            },
        });
        // The HPA owns the replica count once serving: a later `up` must not reset it.
        assert.deepEqual(ignoreChanges["kubernetes:apps/v1:Deployment"], ["spec.replicas"]);
    });

    test("the secret environment leaves out empty values", async () => {
        const { r } = await aws();
        const secrets = r.ofType("kubernetes:core/v1:Secret");
        assert.equal(secrets.length, 1, "no TLS secret on AWS");
        const { stringData, ...rest } = secrets[0]!.inputs;
        assert.deepEqual(rest, { apiVersion: "v1", kind: "Secret", metadata: { name: "langchain-ha-secrets", namespace: "langchain-ha", labels: POD_LABELS } });
        assert.deepEqual(unsecret(stringData), { OPENAI_API_KEY: "sk-test" });
    });

    test("the HPA scales the Deployment from 3 to 12 at 70 % CPU and scales down after 5 stable minutes", async () => {
        const { r } = await aws();
        assert.deepEqual(r.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"), {
            apiVersion: "autoscaling/v2",
            kind: "HorizontalPodAutoscaler",
            metadata: { name: "langchain-ha", namespace: "langchain-ha", labels: POD_LABELS },
            spec: {
                scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "langchain-ha" },
                minReplicas: 3,
                maxReplicas: 12,
                metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
                behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
            },
        });
    });

    test("the PDB lets one pod of the service's go at a time", async () => {
        const { r } = await aws();
        assert.deepEqual(r.one("kubernetes:policy/v1:PodDisruptionBudget"), {
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: "langchain-ha", namespace: "langchain-ha", labels: POD_LABELS },
            spec: { maxUnavailable: 1, selector: { matchLabels: SELECTOR } },
        });
    });

    test("the Service is an internet-facing NLB terminating TLS 1.2+ with the certificate, health-checked on /readyz, to the plain port", async () => {
        const { r } = await aws();
        assert.deepEqual(r.one("kubernetes:core/v1:Service"), {
            apiVersion: "v1",
            kind: "Service",
            metadata: {
                name: "langchain-ha",
                namespace: "langchain-ha",
                labels: POD_LABELS,
                annotations: {
                    "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
                    "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
                    "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                    "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                    "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
                    "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "HTTP",
                    "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": "/readyz",
                    // The path Route53 checks, for the pack to compare a check with.
                    "langchain-ha.io/health-path": "/health",
                },
            },
            spec: { type: "LoadBalancer", selector: SELECTOR, ports: [{ name: "https", port: 443, targetPort: "http", protocol: "TCP" }] },
        });
    });

    test("the NetworkPolicy admits the plain port from anywhere and from internal clients, and the admin port from the VPC only", async () => {
        const { r } = await aws();
        assert.deepEqual(r.one("kubernetes:networking.k8s.io/v1:NetworkPolicy"), {
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "langchain-ha", namespace: "langchain-ha", labels: POD_LABELS },
            spec: {
                podSelector: { matchLabels: SELECTOR },
                policyTypes: ["Ingress"],
                ingress: [
                    { ports: [{ protocol: "TCP", port: 8080 }] },
                    { from: [{ podSelector: { matchLabels: { "langchain-ha/internal-client": "true" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
                    { from: [{ ipBlock: { cidr: "10.20.0.0/16" } }], ports: [{ protocol: "TCP", port: 9090 }] },
                ],
            },
        });
    });

    test("its outputs: names, the NLB's hostname as endpoint; every resource under the component", async () => {
        const { r } = await aws();
        const lbHostname = r.ofType("kubernetes:core/v1:Service")[0]!.outputs.status as { loadBalancer: { ingress: Array<{ hostname: string }> } };
        assert.match(lbHostname.loadBalancer.ingress[0]!.hostname, /\.elb\.[a-z0-9-]+\.amazonaws\.com$/);
        assert.deepEqual(componentOutputs(r), { deploymentName: "langchain-ha", serviceName: "langchain-ha", secretName: "langchain-ha-secrets", endpoint: lbHostname.loadBalancer.ingress[0]!.hostname });
        assert.equal(r.all.filter((x) => x.custom).length, 7, "provider, secret, deployment, HPA, PDB, service, network policy");
    });
});

describe("LangchainService on GCP, pilot-light standby with TLS (exact)", () => {
    let declared: Promise<{ r: Resources; ignoreChanges: Record<string, string[] | undefined> }> | undefined;
    const gcp = () => (declared ??= service(ON_GCP_STANDBY, "gke"));

    test("the Deployment runs no pod, says how many a failover needs, and serves HTTPS from the mounted TLS secret", async () => {
        const { r, ignoreChanges } = await gcp();
        const d = r.one("kubernetes:apps/v1:Deployment");
        assert.deepEqual(d.metadata.annotations, { "langchain-ha.io/standby": "pilot-light", "langchain-ha.io/failover-replicas": "4" });
        assert.equal(d.spec.replicas, 0);
        // The runbook's scale-up must stick: nothing owns the replica count but `up`.
        assert.deepEqual(ignoreChanges["kubernetes:apps/v1:Deployment"], []);
        const pod = d.spec.template.spec;
        assert.equal(pod.serviceAccountName, undefined, "the namespace's default account");
        const container = pod.containers[0];
        assert.deepEqual(container.env, [
            { name: "QDRANT_URL", value: "http://qdrant:6333" },
            { name: "PORT", value: "8080" },
            { name: "HOST", value: "0.0.0.0" },
            { name: "ADMIN_PORT", value: "9090" },
            { name: "DATA_DIR", value: "/data" },
            { name: "HTTPS_PORT", value: "8443" },
            { name: "TLS_CERT_FILE", value: "/etc/langchain-ha/tls/tls.crt" },
            { name: "TLS_KEY_FILE", value: "/etc/langchain-ha/tls/tls.key" },
        ]);
        assert.deepEqual(container.ports, [{ name: "http", containerPort: 8080 }, { name: "https", containerPort: 8443 }, { name: "admin", containerPort: 9090 }]);
        assert.deepEqual(container.volumeMounts, [{ name: "data", mountPath: "/data" }, { name: "tls", mountPath: "/etc/langchain-ha/tls", readOnly: true }]);
        assert.deepEqual(pod.volumes, [{ name: "data", emptyDir: {} }, { name: "tls", secret: { secretName: "langchain-ha-tls" } }]);
        assert.deepEqual(container.resources, { requests: { cpu: "1", memory: "2Gi" }, limits: { memory: "2Gi" } });
        assert.deepEqual(pod.topologySpreadConstraints, SPREAD);
    });

    test("no HPA on a standby; the PDB stays", async () => {
        const { r } = await gcp();
        assert.equal(r.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").length, 0);
        assert.equal(r.ofType("kubernetes:policy/v1:PodDisruptionBudget").length, 1);
    });

    test("the TLS secret holds the certificate and key as kubernetes.io/tls", async () => {
        const { r } = await gcp();
        const tls = r.one("kubernetes:core/v1:Secret", "app-tls");
        assert.deepEqual({ ...tls, stringData: unsecret(tls.stringData) }, {
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "langchain-ha-tls", namespace: "langchain-ha", labels: POD_LABELS },
            type: "kubernetes.io/tls",
            stringData: { "tls.crt": "CERT", "tls.key": "KEY" },
        });
        assert.deepEqual(unsecret(r.one("kubernetes:core/v1:Secret", "app-secrets").stringData), { ANTHROPIC_API_KEY: "sk-ant" });
    });

    test("the Service is a backend-service L4 load balancer passing TLS through to the pods' HTTPS port, awaited on its address only", async () => {
        const { r } = await gcp();
        const s = r.one("kubernetes:core/v1:Service");
        assert.deepEqual(s.metadata.annotations, { "cloud.google.com/l4-rbs": "enabled", "pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress}", "langchain-ha.io/health-path": "/health" });
        assert.deepEqual(s.spec, { type: "LoadBalancer", selector: SELECTOR, ports: [{ name: "https", port: 443, targetPort: "https", protocol: "TCP" }] });
    });

    test("the NetworkPolicy admits the HTTPS port publicly, the plain port to internal clients, the admin port to managed Prometheus", async () => {
        const { r } = await gcp();
        assert.deepEqual(r.one("kubernetes:networking.k8s.io/v1:NetworkPolicy").spec.ingress, [
            { ports: [{ protocol: "TCP", port: 8443 }] },
            { from: [{ podSelector: { matchLabels: { "langchain-ha/internal-client": "true" } } }], ports: [{ protocol: "TCP", port: 8080 }] },
            { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "gmp-system" } } }], ports: [{ protocol: "TCP", port: 9090 }] },
        ]);
    });

    test("its endpoint is the load balancer's IP", async () => {
        const { r } = await gcp();
        const status = r.ofType("kubernetes:core/v1:Service")[0]!.outputs.status as { loadBalancer: { ingress: Array<{ ip: string }> } };
        assert.match(status.loadBalancer.ingress[0]!.ip, /^34\.\d+\.10\.20$/);
        assert.equal(componentOutputs(r).endpoint, status.loadBalancer.ingress[0]!.ip);
    });
});

describe("LangchainService endpoint before the load balancer reports an address (exact)", () => {
    test("no status, no load balancer, no ingress or an empty one: the endpoint is empty, not an error", async () => {
        // What the cluster may report while the cloud still provisions the load balancer.
        const statuses: Record<string, unknown> = {
            none: undefined,
            empty: {},
            "no-ingress": { loadBalancer: {} },
            "empty-ingress": { loadBalancer: { ingress: [] } },
        };
        const r = await declare(() => {
            for (const name of Object.keys(statuses)) new LangchainService(name, ON_AWS);
        }, "test", {
            call: (args) => cloudMocks.call(args),
            newResource: async (args) => {
                const result = await cloudMocks.newResource(args);
                if (args.type !== "kubernetes:core/v1:Service") return result;
                const status = statuses[args.name.replace(/-service$/, "")];
                return { ...result, state: { ...result.state, status } };
            },
        });
        const endpoints = Object.fromEntries(r.ofType("langchain-ha:service:LangchainService").map((c) => [c.name, c.outputs.endpoint]));
        assert.deepEqual(endpoints, { none: "", empty: "", "no-ingress": "", "empty-ingress": "" });
    });
});

describe("validateLangchainServiceArgs (exact)", () => {
    const standby = (failoverReplicas: number): LangchainServiceArgs => ({ ...ON_GCP_STANDBY, scale: { kind: "standby", failoverReplicas } });
    const serving = (replicas: number, maxReplicas: number): LangchainServiceArgs => ({ ...ON_AWS, scale: { kind: "serving", replicas, maxReplicas, targetCpuPercent: 70 } });

    test("the smallest scales that are no single point of failure are accepted", () => {
        assert.doesNotThrow(() => validateLangchainServiceArgs("app", serving(2, 2)));
        assert.doesNotThrow(() => validateLangchainServiceArgs("app", standby(2)));
    });

    test("a single pod, a maximum below the minimum, or TLS settings the cloud cannot serve are refused with the reason", () => {
        assert.throws(() => validateLangchainServiceArgs("app", serving(1, 3)), { message: "LangchainService app: a serving deployment needs at least 2 replicas, got 1" });
        assert.throws(() => validateLangchainServiceArgs("app", serving(3, 2)), { message: "LangchainService app: maxReplicas must be at least replicas" });
        assert.throws(() => validateLangchainServiceArgs("app", standby(1)), { message: "LangchainService app: failoverReplicas must be at least 2" });
        assert.throws(() => validateLangchainServiceArgs("app", { ...ON_AWS, certificateArn: undefined }), { message: "LangchainService app: certificateArn is required on aws (TLS ends at the NLB)" });
        assert.throws(() => validateLangchainServiceArgs("app", { ...ON_GCP_STANDBY, tls: undefined }), { message: "LangchainService app: tls certificate and key are required on gcp (the L4 load balancer passes TLS through)" });
    });

    test("the component refuses bad arguments before declaring anything", () => {
        assert.throws(() => new LangchainService("app", standby(1)), { message: "LangchainService app: failoverReplicas must be at least 2" });
    });
});
