import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { ClusterAutoscaler, clusterAutoscalerImage, validateClusterAutoscalerArgs, type ClusterAutoscalerArgs } from "../../infra/aws";
import { MetricsServer, validateMetricsServerArgs } from "../../infra/k8s/metricsServer";
import { declare } from "./harness";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider payloads are untyped

const autoscalerArgs: ClusterAutoscalerArgs = {
    clusterName: "prod-eks",
    kubernetesVersion: "1.35",
    region: "us-east-1",
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
    oidcIssuerHost: "oidc.eks.us-east-1.amazonaws.com/id/ABC",
};

function podSpec(d: Inputs) {
    return d.spec.template.spec;
}

describe("MetricsServer", () => {
    test("serves the resource metrics API from two pods on distinct nodes, with a PDB", async () => {
        const r = await declare(() => new MetricsServer("ms", {}, { providers: [new k8s.Provider("eks-k8s", { kubeconfig: "{}" })] }));
        const d = r.one("kubernetes:apps/v1:Deployment");
        assert.equal(d.metadata.namespace, "kube-system");
        assert.equal(d.spec.replicas, 2);
        const pod = podSpec(d);
        assert.deepEqual(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution, [{ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "k8s-app": "metrics-server" } } }]);
        assert.equal(pod.containers[0].image, "registry.k8s.io/metrics-server/metrics-server:v0.8.0");
        assert.equal(pod.priorityClassName, "system-cluster-critical");
        // It serves an APIService every HPA reads: a hard zone spread, a soft node spread.
        assert.deepEqual(pod.topologySpreadConstraints, [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { "k8s-app": "metrics-server" } } },
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { "k8s-app": "metrics-server" } } },
        ]);
        const api = r.one("kubernetes:apiregistration.k8s.io/v1:APIService");
        assert.equal(api.metadata.name, "v1beta1.metrics.k8s.io");
        assert.deepEqual(api.spec.service, { name: "metrics-server", namespace: "kube-system" });
        assert.equal(r.one("kubernetes:policy/v1:PodDisruptionBudget").spec.maxUnavailable, 1);
        assert.equal(r.one("kubernetes:core/v1:Service").spec.ports[0].targetPort, "https");
    });

    test("refuses a single replica", () => {
        assert.throws(() => validateMetricsServerArgs("ms", { replicas: 1 }), { message: "MetricsServer ms: replicas must be at least 2, got 1" });
    });
});

describe("ClusterAutoscaler", () => {
    test("discovers the cluster's node groups by tag, balances them, and runs two leader-elected pods", async () => {
        const r = await declare(() => new ClusterAutoscaler("ca", autoscalerArgs));
        const d = r.one("kubernetes:apps/v1:Deployment");
        assert.equal(d.spec.replicas, 2);
        const c = podSpec(d).containers[0];
        assert.equal(c.image, "registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.0");
        assert.deepEqual(c.command, [
            "./cluster-autoscaler",
            "--cloud-provider=aws",
            "--namespace=kube-system",
            "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/prod-eks",
            "--balance-similar-node-groups",
            "--expander=least-waste",
            "--skip-nodes-with-system-pods=false",
            "--leader-elect=true",
        ]);
        assert.deepEqual(c.env, [{ name: "AWS_REGION", value: "us-east-1" }]);
        assert.equal(podSpec(d).affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey, "kubernetes.io/hostname");
        const selector = { matchLabels: { "app.kubernetes.io/name": "cluster-autoscaler" } };
        assert.deepEqual(podSpec(d).topologySpreadConstraints, [
            { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: selector },
            { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: selector },
        ]);
        assert.equal(r.one("kubernetes:policy/v1:PodDisruptionBudget").spec.maxUnavailable, 1);
    });

    test("runs with its own IRSA role that may resize only its cluster's groups", async () => {
        const r = await declare(() => new ClusterAutoscaler("ca", autoscalerArgs));
        const role = r.ofType("aws:iam/role:Role")[0]!;
        assert.equal(r.one("kubernetes:core/v1:ServiceAccount").metadata.annotations["eks.amazonaws.com/role-arn"], role.outputs.arn);
        const trust = JSON.parse((role.inputs as Inputs).assumeRolePolicy).Statement[0];
        assert.deepEqual(trust.Condition.StringEquals, {
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:kube-system:cluster-autoscaler",
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
        });
        const policy = JSON.parse(r.one("aws:iam/rolePolicy:RolePolicy").policy);
        assert.deepEqual(policy.Statement[1], {
            Effect: "Allow",
            Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
            Resource: "*",
            Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/prod-eks": "owned" } },
        });
    });

    test("the image follows the cluster's minor version unless given", () => {
        assert.equal(clusterAutoscalerImage("1.34"), "registry.k8s.io/autoscaling/cluster-autoscaler:v1.34.0");
        assert.throws(() => validateClusterAutoscalerArgs("ca", { ...autoscalerArgs, replicas: 1 }), { message: "ClusterAutoscaler ca: replicas must be at least 2, got 1" });
        assert.throws(() => validateClusterAutoscalerArgs("ca", { ...autoscalerArgs, kubernetesVersion: "latest" }), { message: "ClusterAutoscaler ca: kubernetesVersion must be a minor version such as 1.35, got latest" });
    });
});
