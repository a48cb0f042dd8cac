import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ADMIN_PORT, ENV, HTTP_PORT, HTTPS_PORT, PROBE_PATHS, TERMINATION_GRACE_SECONDS } from "../../app/src/contract";
import { RESTRICTED_CONTAINER, selectorLabels, workloadLabels, zoneSpread } from "../k8s/labels";
import type { PodIdentity } from "../k8s/podIdentity";
import { allowIngress, fromPods, INTERNAL_CLIENT_LABEL, tcpPorts } from "../k8s/networkPolicy";
import { ADMIN_CONTAINER_PORT, LISTENER_ENV } from "./ports";

/** How many pods run, by role. */
export type ServiceScale =
    /** Serving: `replicas` pods, autoscaled between `replicas` and `maxReplicas`. */
    | { kind: "serving"; replicas: number; maxReplicas: number; targetCpuPercent: number }
    /** Pilot-light standby: no pods; the failover runbook scales it to `failoverReplicas`. */
    | { kind: "standby"; failoverReplicas: number };

export interface LangchainServiceArgs {
    namespace: pulumi.Input<string>;
    image: string;
    scale: ServiceScale;
    /** Which cloud the cluster runs in; selects the load balancer flavour. */
    cloud: "aws" | "gcp";
    /** Plain environment for the container (see app/src/contract.ts ENV). */
    env: Record<string, pulumi.Input<string>>;
    /**
     * Who may reach the admin port (/metrics, detailed /health): the cluster's metrics
     * collection (see monitoringPeers). No load balancer exposes that port.
     */
    monitoringPeers: k8s.types.input.networking.v1.NetworkPolicyPeer[];
    /** Secret environment (provider keys, API key hashes, admin token); stored in a Kubernetes Secret. Empty values are left out. */
    secretEnv: Record<string, pulumi.Input<string | undefined>>;
    resources: { cpu: string; memory: string };
    /** AWS only: ACM certificate the NLB terminates TLS with. */
    certificateArn?: pulumi.Input<string>;
    /** GCP only: PEM certificate and key the pods terminate TLS with (the L4 load balancer passes TLS through). */
    tls?: { certificate: pulumi.Input<string>; privateKey: pulumi.Input<string> };
    /** Service account, federation env and token volumes of the pods. Defaults to the namespace's default account. */
    identity?: PodIdentity;
}

const NAME = "langchain-ha";
/** The service's pods, as other components' NetworkPolicies select them. */
export const SERVICE_POD_SELECTOR = selectorLabels(NAME);
const TLS_DIR = "/etc/langchain-ha/tls";

/** Throws on a scale that is a single point of failure, or TLS settings the cloud cannot serve. */
export function validateLangchainServiceArgs(name: string, args: LangchainServiceArgs): void {
    const scale = args.scale;
    if (scale.kind === "serving" && scale.replicas < 2) throw new Error(`LangchainService ${name}: a serving deployment needs at least 2 replicas, got ${scale.replicas}`);
    if (scale.kind === "serving" && scale.maxReplicas < scale.replicas) throw new Error(`LangchainService ${name}: maxReplicas must be at least replicas`);
    if (scale.kind === "standby" && scale.failoverReplicas < 2) throw new Error(`LangchainService ${name}: failoverReplicas must be at least 2`);
    if (args.cloud === "aws" && args.certificateArn === undefined) throw new Error(`LangchainService ${name}: certificateArn is required on aws (TLS ends at the NLB)`);
    if (args.cloud === "gcp" && args.tls === undefined) throw new Error(`LangchainService ${name}: tls certificate and key are required on gcp (the L4 load balancer passes TLS through)`);
}

/** TLS 1.3 and 1.2 only, forward-secret ciphers; the controller's default is the 2016 policy (TLS 1.0+). */
export const NLB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/**
 * With `aws-load-balancer-type: nlb` EKS's built-in cloud provider (cloud-provider-aws) builds
 * the NLB, not the AWS Load Balancer Controller (not installed), so only annotations it reads
 * are set: type, cross-zone, certificate, TLS ports and negotiation policy, health check. It
 * makes internet-facing NLBs unless `aws-load-balancer-internal` is set (it ignores `-scheme`).
 */
function loadBalancerAnnotations(args: LangchainServiceArgs): Record<string, pulumi.Input<string>> {
    if (args.cloud === "aws") {
        return {
            "service.beta.kubernetes.io/aws-load-balancer-type": "nlb",
            "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled": "true",
            "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy": NLB_TLS_POLICY,
            "service.beta.kubernetes.io/aws-load-balancer-ssl-cert": args.certificateArn!,
            "service.beta.kubernetes.io/aws-load-balancer-ssl-ports": "https",
            "service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol": "HTTP",
            "service.beta.kubernetes.io/aws-load-balancer-healthcheck-path": PROBE_PATHS.readyz,
        };
    }
    // Backend-service based regional L4 load balancer: health-checked backends in every zone.
    return { "cloud.google.com/l4-rbs": "enabled" };
}

/**
 * Declares on the Service the path Route53 health-checks (the deep health), so that a check of
 * this endpoint can be compared with it (the policy pack's health-check listener rule).
 */
export const HEALTH_PATH = { "langchain-ha.io/health-path": PROBE_PATHS.health };

/**
 * The Kubernetes provider's await of a Service wants ready endpoints; a pilot-light standby has
 * no pods on purpose, so that wait would time out after 10 minutes. Wait for what DNS needs
 * instead: the load balancer's address.
 */
export const AWAIT_LOAD_BALANCER_ADDRESS = { "pulumi.com/waitFor": "jsonpath={.status.loadBalancer.ingress}" };

function serviceAwaitAnnotations(scale: ServiceScale): Record<string, string> {
    return scale.kind === "standby" ? AWAIT_LOAD_BALANCER_ADDRESS : {};
}

/**
 * The LangChain service on one cluster: a Deployment spread over zones with readiness,
 * liveness and startup probes and a graceful drain, an HPA, a PDB allowing one pod down,
 * and an internet-facing Service of type LoadBalancer that Route53 health-checks.
 */
export class LangchainService extends pulumi.ComponentResource {
    public readonly deploymentName: pulumi.Output<string>;
    public readonly serviceName: pulumi.Output<string>;
    /** The Secret holding the secret environment (the follower reads the same one). */
    public readonly secretName: pulumi.Output<string>;
    /** Labels that select the serving pods, for other Services in front of them. */
    public readonly podSelector: Record<string, string>;
    /** Hostname (AWS NLB) or IP (GCP) of the load balancer. */
    public readonly endpoint: pulumi.Output<string>;

    constructor(name: string, args: LangchainServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        validateLangchainServiceArgs(name, args);
        super("langchain-ha:service:LangchainService", name, {}, opts);
        const scale = args.scale;
        const annotations = loadBalancerAnnotations(args);
        const parent = { parent: this };
        const labels = workloadLabels(NAME, "api");
        const selector = selectorLabels(NAME);

        const secretData = Object.fromEntries(Object.entries(args.secretEnv).filter(([, v]) => v !== undefined)) as Record<string, pulumi.Input<string>>;
        const tlsData = args.tls ? { "tls.crt": args.tls.certificate, "tls.key": args.tls.privateKey } : undefined;
        const secret = new k8s.core.v1.Secret(`${name}-secrets`, {
            metadata: { name: `${NAME}-secrets`, namespace: args.namespace, labels },
            stringData: secretData,
        }, parent);
        const tlsSecret = tlsData
            ? new k8s.core.v1.Secret(`${name}-tls`, { metadata: { name: `${NAME}-tls`, namespace: args.namespace, labels }, type: "kubernetes.io/tls", stringData: tlsData }, parent)
            : undefined;

        const env: k8s.types.input.core.v1.EnvVar[] = [
            ...Object.entries(args.env).map(([key, value]) => ({ name: key, value })),
            { name: ENV.port, value: String(HTTP_PORT) },
            ...LISTENER_ENV,
            { name: ENV.dataDir, value: "/data" },
            ...(tlsSecret ? [
                { name: ENV.httpsPort, value: String(HTTPS_PORT) },
                { name: ENV.tlsCertFile, value: `${TLS_DIR}/tls.crt` },
                { name: ENV.tlsKeyFile, value: `${TLS_DIR}/tls.key` },
            ] : []),
            ...(args.identity?.env ?? []),
        ];
        const standbyAnnotations: Record<string, string> = scale.kind === "standby"
            ? { "langchain-ha.io/standby": "pilot-light", "langchain-ha.io/failover-replicas": String(scale.failoverReplicas) }
            : {};

        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { name: NAME, namespace: args.namespace, labels, annotations: standbyAnnotations },
            spec: {
                replicas: scale.kind === "serving" ? scale.replicas : 0,
                selector: { matchLabels: selector },
                // Never go below the desired count during a rollout.
                strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: "25%" } },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: args.identity?.serviceAccountName,
                        terminationGracePeriodSeconds: TERMINATION_GRACE_SECONDS,
                        securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 },
                        topologySpreadConstraints: zoneSpread(selector, "DoNotSchedule"),
                        containers: [{
                            name: "api",
                            image: args.image,
                            env,
                            envFrom: [{ secretRef: { name: secret.metadata.name } }],
                            ports: [
                                { name: "http", containerPort: HTTP_PORT },
                                ...(tlsSecret ? [{ name: "https", containerPort: HTTPS_PORT }] : []),
                                ADMIN_CONTAINER_PORT,
                            ],
                            readinessProbe: { httpGet: { path: PROBE_PATHS.readyz, port: "http" }, periodSeconds: 5, failureThreshold: 2 },
                            livenessProbe: { httpGet: { path: PROBE_PATHS.livez, port: "http" }, periodSeconds: 10, failureThreshold: 3 },
                            startupProbe: { httpGet: { path: PROBE_PATHS.readyz, port: "http" }, periodSeconds: 2, failureThreshold: 60 },
                            // Let the load balancer deregister the pod before it stops accepting connections.
                            lifecycle: { preStop: { sleep: { seconds: 5 } } },
                            resources: { requests: args.resources, limits: { memory: args.resources.memory } },
                            securityContext: RESTRICTED_CONTAINER,
                            volumeMounts: [
                                { name: "data", mountPath: "/data" },
                                ...(tlsSecret ? [{ name: "tls", mountPath: TLS_DIR, readOnly: true }] : []),
                                ...(args.identity?.volumeMounts ?? []),
                            ],
                        }],
                        volumes: [
                            { name: "data", emptyDir: {} },
                            ...(tlsSecret ? [{ name: "tls", secret: { secretName: tlsSecret.metadata.name } }] : []),
                            ...(args.identity?.volumes ?? []),
                        ],
                    },
                },
            },
        }, { parent: this, ignoreChanges: scale.kind === "serving" ? ["spec.replicas"] : [] });

        if (scale.kind === "serving") {
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, {
                metadata: { name: NAME, namespace: args.namespace, labels },
                spec: {
                    scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
                    minReplicas: scale.replicas,
                    maxReplicas: scale.maxReplicas,
                    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: scale.targetCpuPercent } } }],
                    // Scale down slowly so a flapping load does not drain capacity before a spike.
                    behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
                },
            }, parent);
        }

        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: { name: NAME, namespace: args.namespace, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, parent);

        const service = new k8s.core.v1.Service(`${name}-service`, {
            metadata: { name: NAME, namespace: args.namespace, labels, annotations: { ...annotations, ...serviceAwaitAnnotations(scale), ...HEALTH_PATH } },
            spec: {
                type: "LoadBalancer",
                selector,
                ports: [{ name: "https", port: 443, targetPort: tlsSecret ? "https" : "http", protocol: "TCP" }],
            },
        }, parent);

        // Reachable on the port its load balancer targets, on the plain port by in-cluster
        // clients labelled for it (the snapshot-set job), and on the admin port by the metrics
        // collection only; every other port stays closed.
        allowIngress(`${name}-network-policy`, {
            name: NAME,
            namespace: args.namespace,
            labels,
            selector,
            ingress: [
                { ports: tcpPorts(tlsSecret ? HTTPS_PORT : HTTP_PORT) },
                { from: fromPods({ ...INTERNAL_CLIENT_LABEL }), ports: tcpPorts(HTTP_PORT) },
                { from: args.monitoringPeers, ports: tcpPorts(ADMIN_PORT) },
            ],
        }, parent);

        this.deploymentName = deployment.metadata.name;
        this.serviceName = service.metadata.name;
        this.secretName = secret.metadata.name;
        this.podSelector = selector;
        this.endpoint = service.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? s?.loadBalancer?.ingress?.[0]?.ip ?? "");
        this.registerOutputs({ deploymentName: this.deploymentName, serviceName: this.serviceName, secretName: this.secretName, endpoint: this.endpoint });
    }
}
