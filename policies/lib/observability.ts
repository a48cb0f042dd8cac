import { parse } from "yaml";
import type { Subject } from "./rule";
import { asArray, asRecord, asString, asStrings, get } from "./values";

export const OBSERVABILITY = {
    /** Google Cloud Managed Service for Prometheus. */
    podMonitoring: "kubernetes:monitoring.googleapis.com/v1:PodMonitoring",
    clusterPodMonitoring: "kubernetes:monitoring.googleapis.com/v1:ClusterPodMonitoring",
    gmpRules: "kubernetes:monitoring.googleapis.com/v1:Rules",
    gmpClusterRules: "kubernetes:monitoring.googleapis.com/v1:ClusterRules",
    gmpGlobalRules: "kubernetes:monitoring.googleapis.com/v1:GlobalRules",
    /** Prometheus Operator. */
    podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
    prometheusRule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
    /** Amazon Managed Service for Prometheus. */
    ampScraper: "aws:amp/scraper:Scraper",
    ampRuleGroupNamespace: "aws:amp/ruleGroupNamespace:RuleGroupNamespace",
    /** Cloud Monitoring and CloudWatch. */
    gcpAlertPolicy: "gcp:monitoring/alertPolicy:AlertPolicy",
    cloudwatchAlarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    eksCluster: "aws:eks/cluster:Cluster",
} as const;

/** One pod-discovery job of a Prometheus scrape configuration: where it looks and which pods it keeps. */
export interface PodScrapeJob {
    /** Namespaces searched; undefined means all. */
    namespaces?: string[];
    /** Keep rules on pod labels: Prometheus' sanitised label name -> anchored regex. */
    keepPodLabels: Map<string, RegExp>;
}

/** Prometheus' name for a pod label in Kubernetes service discovery, without its prefix. */
export function sanitizeLabel(label: string): string {
    return label.replace(/[^A-Za-z0-9_]/g, "_");
}

const POD_LABEL_META = "__meta_kubernetes_pod_label_";

/** The pod-discovery jobs of a scrape configuration (YAML text); unreadable text yields none. */
export function podScrapeJobs(configuration: string): PodScrapeJob[] {
    let doc: unknown;
    try {
        doc = parse(configuration);
    } catch {
        return [];
    }
    const jobs: PodScrapeJob[] = [];
    for (const job of asArray(get(doc, "scrape_configs")).map(asRecord)) {
        const sd = asArray(job["kubernetes_sd_configs"]).map(asRecord).filter((c) => c["role"] === "pod");
        if (sd.length === 0) continue;
        const names = sd.map((c) => asStrings(get(c, "namespaces.names")));
        const keepPodLabels = new Map<string, RegExp>();
        for (const rule of asArray(job["relabel_configs"]).map(asRecord)) {
            const sources = asStrings(rule["source_labels"]);
            if ((asString(rule["action"]) ?? "replace") !== "keep" || sources.length !== 1 || !sources[0]!.startsWith(POD_LABEL_META)) continue;
            keepPodLabels.set(sources[0]!.slice(POD_LABEL_META.length), new RegExp(`^(?:${asString(rule["regex"]) ?? "(.*)"})$`));
        }
        jobs.push({ namespaces: names.some((n) => n.length === 0) ? undefined : names.flat(), keepPodLabels });
    }
    return jobs;
}

/** Whether a job keeps pods with `labels` in `namespace`. */
export function jobKeeps(job: PodScrapeJob, namespace: string, labels: Record<string, unknown>): boolean {
    if (job.namespaces !== undefined && !job.namespaces.includes(namespace)) return false;
    const byMeta = new Map(Object.entries(labels).map(([k, v]) => [sanitizeLabel(k), asString(v) ?? ""]));
    return [...job.keepPodLabels].every(([meta, regex]) => regex.test(byMeta.get(meta) ?? ""));
}

/** URNs of EKS clusters a resource depends on (its cluster, for a scraper or a Kubernetes provider). */
export function eksClustersOf(s: Subject | undefined, byUrn: (urn: string) => Subject | undefined): Set<string> {
    const urns = [...(s?.dependencies ?? []), ...Object.values(s?.propertyDependencies ?? {}).flat()];
    return new Set(urns.filter((u) => byUrn(u)?.type === OBSERVABILITY.eksCluster));
}
