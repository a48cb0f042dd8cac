import { ApiException, AppsV1Api, AutoscalingV2Api, CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import type { ClusterControl, DeploymentState } from "./types";

function isNotFound(error: unknown): boolean {
    return error instanceof ApiException && error.code === 404;
}

/**
 * One cluster through the official Kubernetes client and the kubeconfig the stack exports (exec
 * auth: `aws eks get-token` or `gke-gcloud-auth-plugin`). Only Deployments, their autoscaler
 * and one Secret are touched, all in the app's namespace.
 */
export class KubernetesCluster implements ClusterControl {
    private readonly apps: AppsV1Api;
    private readonly autoscaling: AutoscalingV2Api;
    private readonly core: CoreV1Api;

    constructor(kubeconfig: string, private readonly namespace: string) {
        const config = new KubeConfig();
        config.loadFromString(kubeconfig);
        this.apps = config.makeApiClient(AppsV1Api);
        this.autoscaling = config.makeApiClient(AutoscalingV2Api);
        this.core = config.makeApiClient(CoreV1Api);
    }

    async deployment(name: string): Promise<DeploymentState | undefined> {
        try {
            const d = await this.apps.readNamespacedDeployment({ name, namespace: this.namespace });
            return { replicas: d.spec?.replicas ?? 0, readyReplicas: d.status?.readyReplicas ?? 0 };
        } catch (error) {
            if (isNotFound(error)) return undefined;
            throw error;
        }
    }

    async setCapacity(name: string, replicas: number): Promise<void> {
        // The autoscaler first: raising the Deployment alone would be undone at its next sync.
        try {
            const hpa = await this.autoscaling.readNamespacedHorizontalPodAutoscaler({ name, namespace: this.namespace });
            const floor = Math.max(1, replicas);
            if (hpa.spec && hpa.spec.minReplicas !== floor) {
                hpa.spec.minReplicas = floor;
                hpa.spec.maxReplicas = Math.max(hpa.spec.maxReplicas, floor);
                await this.autoscaling.replaceNamespacedHorizontalPodAutoscaler({ name, namespace: this.namespace, body: hpa });
            }
        } catch (error) {
            if (!isNotFound(error)) throw error;
        }
        const scale = await this.apps.readNamespacedDeploymentScale({ name, namespace: this.namespace });
        if (scale.spec?.replicas === replicas) return;
        await this.apps.replaceNamespacedDeploymentScale({ name, namespace: this.namespace, body: { ...scale, spec: { replicas } } });
    }

    async secretValue(name: string, key: string): Promise<string | undefined> {
        try {
            const secret = await this.core.readNamespacedSecret({ name, namespace: this.namespace });
            const value = secret.data?.[key];
            return value === undefined ? undefined : Buffer.from(value, "base64").toString("utf8");
        } catch (error) {
            if (isNotFound(error)) return undefined;
            throw error;
        }
    }
}
