import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HOST_KEY, RESTRICTED_CONTAINER, zoneSpread } from "../k8s/labels";
import { policyDocument, serviceAccountTrustPolicy } from "./iam";

export interface ClusterAutoscalerArgs {
    /** The EKS cluster's name: the node groups' ASGs carry `k8s.io/cluster-autoscaler/<name>`. */
    clusterName: pulumi.Input<string>;
    /** The cluster's Kubernetes minor version, e.g. "1.35"; picks the matching autoscaler release. */
    kubernetesVersion: string;
    region: string;
    /** The cluster's IAM OIDC provider and issuer (without scheme), for the autoscaler's IRSA role. */
    oidcProviderArn: pulumi.Input<string>;
    oidcIssuerHost: pulumi.Input<string>;
    /** Image. Defaults to registry.k8s.io/autoscaling/cluster-autoscaler:v<kubernetesVersion>.0. */
    image?: string;
    /** Pods; at least 2, one leads (leader election) and the other takes over. Defaults to 2. */
    replicas?: number;
    /** AWS provider for the IAM role (the Kubernetes one comes from `opts.providers`). */
    awsProvider?: pulumi.ProviderResource;
    /** Kubernetes provider of the EKS cluster. */
    k8sProvider?: pulumi.ProviderResource;
    tags?: Record<string, string>;
}

const NAMESPACE = "kube-system";
const NAME = "cluster-autoscaler";
const METRICS_PORT = 8085;

/** The autoscaler release built against a Kubernetes minor: it must match the cluster's. */
export function clusterAutoscalerImage(kubernetesVersion: string): string {
    return `registry.k8s.io/autoscaling/cluster-autoscaler:v${kubernetesVersion}.0`;
}

/** Throws on an autoscaler that one lost node would stop. */
export function validateClusterAutoscalerArgs(name: string, args: ClusterAutoscalerArgs): void {
    if ((args.replicas ?? 2) < 2) throw new Error(`ClusterAutoscaler ${name}: replicas must be at least 2, got ${args.replicas}`);
    if (!/^1\.\d+$/.test(args.kubernetesVersion)) throw new Error(`ClusterAutoscaler ${name}: kubernetesVersion must be a minor version such as 1.35, got ${args.kubernetesVersion}`);
}

/**
 * What the autoscaler may do in AWS: read every group, and resize or shrink only the groups
 * of its own cluster (EKS tags a managed node group's ASG `k8s.io/cluster-autoscaler/<name>: owned`).
 */
export function clusterAutoscalerPolicy(clusterName: pulumi.Input<string>): pulumi.Output<string> {
    return policyDocument([
        {
            Effect: "Allow",
            Action: [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
                "eks:DescribeNodegroup",
            ],
            Resource: "*",
        },
        {
            Effect: "Allow",
            Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            Resource: "*",
            Condition: { StringEquals: pulumi.output(clusterName).apply((n) => ({ [`aws:ResourceTag/k8s.io/cluster-autoscaler/${n}`]: "owned" })) },
        },
    ]);
}

/**
 * The Kubernetes cluster autoscaler for EKS managed node groups, found by their ASG tags
 * (one group per zone, balanced), with its own IRSA role: the node groups ignore `desiredSize`
 * because this resizes them. Two pods on distinct nodes and zones, leader-elected, with a PDB,
 * so losing a node never stops autoscaling.
 */
export class ClusterAutoscaler extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;
    public readonly deploymentName: pulumi.Output<string>;

    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        validateClusterAutoscalerArgs(name, args);
        super("langchain-ha:aws:ClusterAutoscaler", name, {}, opts);
        const onAws = { parent: this, provider: args.awsProvider };
        const onK8s = { parent: this, provider: args.k8sProvider };
        const labels = { "app.kubernetes.io/name": NAME, "app.kubernetes.io/part-of": "langchain-ha" };
        const selector = { "app.kubernetes.io/name": NAME };

        const role = new aws.iam.Role(`${name}-role`, {
            description: "Cluster autoscaler of an EKS cluster",
            assumeRolePolicy: serviceAccountTrustPolicy({ oidcProviderArn: args.oidcProviderArn, issuerHost: args.oidcIssuerHost, namespace: NAMESPACE, serviceAccount: NAME }),
            tags: args.tags ?? {},
        }, onAws);
        new aws.iam.RolePolicy(`${name}-policy`, { role: role.id, policy: clusterAutoscalerPolicy(args.clusterName) }, onAws);

        const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
            metadata: { name: NAME, namespace: NAMESPACE, labels, annotations: { "eks.amazonaws.com/role-arn": role.arn } },
        }, onK8s);
        const subjects = [{ kind: "ServiceAccount", name: account.metadata.name, namespace: NAMESPACE }];
        const read = ["watch", "list", "get"];
        const clusterRole = new k8s.rbac.v1.ClusterRole(`${name}-role`, {
            metadata: { name: NAME, labels },
            rules: [
                { apiGroups: [""], resources: ["events", "endpoints"], verbs: ["create", "patch"] },
                { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
                { apiGroups: [""], resources: ["pods/status"], verbs: ["update"] },
                { apiGroups: [""], resources: ["endpoints"], resourceNames: [NAME], verbs: ["get", "update"] },
                { apiGroups: [""], resources: ["nodes"], verbs: [...read, "update"] },
                { apiGroups: [""], resources: ["namespaces", "pods", "services", "replicationcontrollers", "persistentvolumeclaims", "persistentvolumes"], verbs: read },
                { apiGroups: ["extensions"], resources: ["replicasets", "daemonsets"], verbs: read },
                { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["watch", "list"] },
                { apiGroups: ["apps"], resources: ["statefulsets", "replicasets", "daemonsets"], verbs: read },
                { apiGroups: ["storage.k8s.io"], resources: ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"], verbs: read },
                { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: [...read, "patch"] },
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [NAME], verbs: ["get", "update"] },
                { apiGroups: ["resource.k8s.io"], resources: ["resourceclaims", "resourceslices", "deviceclasses"], verbs: read },
            ],
        }, onK8s);
        new k8s.rbac.v1.ClusterRoleBinding(`${name}-binding`, {
            metadata: { name: NAME, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name },
            subjects,
        }, onK8s);
        const statusRole = new k8s.rbac.v1.Role(`${name}-status`, {
            metadata: { name: NAME, namespace: NAMESPACE, labels },
            rules: [
                { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "list", "watch"] },
                { apiGroups: [""], resources: ["configmaps"], resourceNames: ["cluster-autoscaler-status", "cluster-autoscaler-priority-expander"], verbs: ["delete", "get", "update", "watch"] },
            ],
        }, onK8s);
        new k8s.rbac.v1.RoleBinding(`${name}-status`, {
            metadata: { name: NAME, namespace: NAMESPACE, labels },
            roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: statusRole.metadata.name },
            subjects,
        }, onK8s);

        const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, {
            metadata: { name: NAME, namespace: NAMESPACE, labels },
            spec: {
                replicas: args.replicas ?? 2,
                selector: { matchLabels: selector },
                template: {
                    metadata: { labels },
                    spec: {
                        serviceAccountName: account.metadata.name,
                        priorityClassName: "system-cluster-critical",
                        securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534, seccompProfile: { type: "RuntimeDefault" } },
                        affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: HOST_KEY, labelSelector: { matchLabels: selector } }] } },
                        topologySpreadConstraints: zoneSpread(selector, "DoNotSchedule"),
                        containers: [{
                            name: NAME,
                            image: args.image ?? clusterAutoscalerImage(args.kubernetesVersion),
                            command: pulumi.output(args.clusterName).apply((cluster) => [
                                "./cluster-autoscaler",
                                "--cloud-provider=aws",
                                `--namespace=${NAMESPACE}`,
                                `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${cluster}`,
                                // One group per zone: keep them the same size so every zone keeps capacity.
                                "--balance-similar-node-groups",
                                "--expander=least-waste",
                                "--skip-nodes-with-system-pods=false",
                                "--leader-elect=true",
                            ]),
                            env: [{ name: "AWS_REGION", value: args.region }],
                            ports: [{ name: "metrics", containerPort: METRICS_PORT }],
                            readinessProbe: { httpGet: { path: "/metrics", port: "metrics" }, periodSeconds: 10, failureThreshold: 3 },
                            livenessProbe: { httpGet: { path: "/health-check", port: "metrics" }, periodSeconds: 30, failureThreshold: 3, initialDelaySeconds: 30 },
                            resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
                            securityContext: RESTRICTED_CONTAINER,
                        }],
                    },
                },
            },
        }, onK8s);
        new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, {
            metadata: { name: NAME, namespace: NAMESPACE, labels },
            spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
        }, onK8s);

        this.roleArn = role.arn;
        this.deploymentName = deployment.metadata.name;
        this.registerOutputs({ roleArn: this.roleArn, deploymentName: this.deploymentName });
    }
}
