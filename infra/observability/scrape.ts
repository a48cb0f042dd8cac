import { stringify } from "yaml";
import { METRICS_PORT_NAME } from "../../app/src/contract";
import { selectorLabels } from "../k8s/labels";
import { JOBS, METRICS_PATH } from "./spec";

/** The named port kube-state-metrics serves its metrics on. */
export const KSM_METRICS_PORT = "http-metrics";

/** One set of pods to scrape: all pods in the namespace whose labels match `selector`. */
export interface ScrapeTarget {
    /** Job name; the `job` label of its series. */
    job: string;
    selector: Record<string, string>;
    /** Name of the container port that serves `path`. */
    port: string;
    path: string;
    /** Secret (in the namespace) holding a bearer token the endpoint wants, if any. */
    bearerSecret?: { name: string; key: string };
}

export const SCRAPE_INTERVAL = "30s";

/**
 * What each cluster scrapes: the metrics port of the service and of its replication followers,
 * every Qdrant peer (each reports only itself) and kube-state-metrics (the snapshot CronJob's
 * last success).
 */
export function scrapeTargets(opts: { qdrantApiKeySecretName?: string }): ScrapeTarget[] {
    return [
        { job: JOBS.service, selector: selectorLabels("langchain-ha"), port: METRICS_PORT_NAME, path: METRICS_PATH },
        // The replication followers run the service's image: same metrics, on the same port name.
        { job: JOBS.follower, selector: selectorLabels("langchain-ha-follower"), port: METRICS_PORT_NAME, path: METRICS_PATH },
        {
            job: JOBS.qdrant,
            selector: selectorLabels("qdrant"),
            port: "http",
            path: "/metrics",
            // Qdrant takes its API key as a bearer token too; /metrics needs it once a key is set.
            ...(opts.qdrantApiKeySecretName !== undefined ? { bearerSecret: { name: opts.qdrantApiKeySecretName, key: "api-key" } } : {}),
        },
        { job: JOBS.kubeStateMetrics, selector: selectorLabels("kube-state-metrics"), port: KSM_METRICS_PORT, path: "/metrics" },
    ];
}

/** Prometheus' name for a pod label in Kubernetes service discovery. */
function podLabelMeta(label: string): string {
    return `__meta_kubernetes_pod_label_${label.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/**
 * A Prometheus scrape configuration for the targets (what the AMP managed scraper takes):
 * pod discovery in `namespace`, kept by the selector's labels and the port's name, with
 * `namespace` and `pod` labels as GKE's managed collection adds them. `bearerTokens` maps a
 * job to the token it sends (the managed scraper cannot read Kubernetes Secrets).
 */
export function scrapeConfiguration(targets: ScrapeTarget[], namespace: string, bearerTokens: Record<string, string> = {}): string {
    return stringify({
        global: { scrape_interval: SCRAPE_INTERVAL, scrape_timeout: "10s" },
        scrape_configs: targets.map((t) => ({
            job_name: t.job,
            metrics_path: t.path,
            kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [namespace] } }],
            ...(bearerTokens[t.job] !== undefined ? { authorization: { type: "Bearer", credentials: bearerTokens[t.job] } } : {}),
            relabel_configs: [
                ...Object.entries(t.selector).map(([label, value]) => ({ source_labels: [podLabelMeta(label)], action: "keep", regex: value })),
                { source_labels: ["__meta_kubernetes_pod_container_port_name"], action: "keep", regex: t.port },
                { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
                { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
            ],
        })),
    }, { lineWidth: 0 });
}

/** The spec of a GKE `PodMonitoring` (monitoring.googleapis.com/v1) for one target. */
export function podMonitoringSpec(t: ScrapeTarget) {
    return {
        selector: { matchLabels: t.selector },
        endpoints: [{
            port: t.port,
            path: t.path,
            interval: SCRAPE_INTERVAL,
            ...(t.bearerSecret ? { authorization: { type: "Bearer", credentials: { secret: { name: t.bearerSecret.name, key: t.bearerSecret.key } } } } : {}),
        }],
    };
}
