import { K8S, objectName, resolvedNamespace, podLabels, REPLICATED_WORKLOADS, replicasOf, scopeKey, selectorMatches } from "../../../lib/kubernetes";
import { eksClustersOf, jobKeeps, OBSERVABILITY, podScrapeJobs, type PodScrapeJob } from "../../../lib/observability";
import { stackRule, type Subject } from "../../../lib/rule";
import { pushTo } from "../../../lib/stack";
import { asString, known, tryGet, UNKNOWN } from "../../../lib/values";

/** Pod monitors (GMP PodMonitoring, Prometheus Operator PodMonitor) by cluster and namespace. */
const NAMESPACED_MONITORS = [OBSERVABILITY.podMonitoring, OBSERVABILITY.podMonitor] as const;

export const stackObservabilityWorkloadMissingScrapeTarget = stackRule({
    name: "stack-observability-workload-missing-scrape-target",
    description: "On a cluster with Prometheus collection, every serving Deployment and StatefulSet must be scraped by a pod monitor or a managed scraper, or no alert that reads its metrics can fire.",
    severity: "medium",
    enforcementLevel: "advisory",
    provider: "stack",
    service: "observability",
    resource: "workload",
    fix: "Declare a `PodMonitoring` (monitoring.googleapis.com/v1) or `PodMonitor` whose `spec.selector` matches the pod labels in the workload's namespace, or add a job to the cluster's `aws.amp.Scraper` configuration that keeps those pods.",
    check(stack, ctx) {
        const workloads = stack.ofType(...REPLICATED_WORKLOADS);
        if (workloads.length === 0) return;
        const monitors = new Map<string, Subject[]>();
        stack.each(stack.ofType(...NAMESPACED_MONITORS), ctx, (m) => pushTo(monitors, scopeKey(m, stack), m));
        const monitorProviders = new Set([...monitors.values()].flat().map((m) => m.provider));
        const clusterMonitors = new Map<string | undefined, Subject[]>();
        for (const m of stack.ofType(OBSERVABILITY.clusterPodMonitoring)) pushTo(clusterMonitors, m.provider, m);
        const scrapers: { clusters: Set<string>; jobs: PodScrapeJob[] }[] = [];
        stack.each(stack.ofType(OBSERVABILITY.ampScraper), ctx, (s) => {
            const config = tryGet(s.props, "scrapeConfiguration");
            // A configuration unknown in preview is assumed to cover the cluster (no false alarm).
            const jobs = config === UNKNOWN ? [{ keepPodLabels: new Map() }] : podScrapeJobs(asString(config) ?? "");
            scrapers.push({ clusters: eksClustersOf(s, stack.byUrn), jobs });
        });
        // A scraper whose cluster is not known counts for every cluster (no false alarm).
        const anyCluster: number[] = [];
        const scrapersByCluster = new Map<string, number[]>();
        scrapers.forEach((s, i) => {
            if (s.clusters.size === 0) anyCluster.push(i);
            for (const c of s.clusters) pushTo(scrapersByCluster, c, i);
        });

        // Only clusters that run some Prometheus collection are judged: a stack without any is
        // monitored by means this rule cannot see, and a workload forgotten there is the drift to catch.
        const clusterOf = (w: Subject) => eksClustersOf(w.provider === undefined ? undefined : stack.byUrn(w.provider), stack.byUrn);
        /** The scrapers of the workload's cluster, in stack order. */
        const scrapersOf = (w: Subject) => {
            const indexes = new Set(anyCluster);
            for (const c of clusterOf(w)) for (const i of scrapersByCluster.get(c) ?? []) indexes.add(i);
            return [...indexes].sort((a, b) => a - b).map((i) => scrapers[i] as (typeof scrapers)[number]);
        };
        const collected = (w: Subject) =>
            monitorProviders.has(w.provider) ||
            clusterMonitors.has(w.provider) ||
            anyCluster.length > 0 ||
            [...clusterOf(w)].some((c) => scrapersByCluster.has(c));

        stack.each(workloads, ctx, (w) => {
            if (replicasOf(w.props) === 0 || !collected(w)) return; // Scaled to zero: not serving.
            const labels = podLabels(w.props);
            const namespace = resolvedNamespace(stack, w);
            // A monitor whose selector is unknown in preview counts as selecting it (no false alarm), as an unknown scraper configuration does.
            const selects = (m: Subject) => {
                const selector = tryGet(m.props, "spec.selector");
                return selector === UNKNOWN || selectorMatches(selector, labels);
            };
            // With its namespace unknown and no Namespace to name it, no pod monitor can be placed in
            // or out of its namespace; a cluster-wide monitor or a scraper may still decide it.
            const scope = known(() => scopeKey(w, stack));
            if (scope !== UNKNOWN && (monitors.get(scope) ?? []).some(selects)) return;
            if ((clusterMonitors.get(w.provider) ?? []).some(selects)) return;
            // A namespace unknown in preview matters only to jobs that search some namespaces.
            const keeps = (j: PodScrapeJob) => (namespace === UNKNOWN ? j.namespaces === undefined && jobKeeps(j, "", labels) : jobKeeps(j, namespace, labels));
            if (scrapersOf(w).some((s) => s.jobs.some(keeps))) return;
            if (namespace === UNKNOWN) {
                ctx.undecided(w.urn, "its namespace is unknown and comes from no Namespace of the stack");
                return;
            }
            const kind = w.type === K8S.deployment ? "Deployment" : "StatefulSet";
            ctx.report(
                `${kind} "${objectName(w)}" in namespace ${namespace} is not scraped by any PodMonitoring, PodMonitor or managed Prometheus scraper, so no alert can see it fail; declare a PodMonitoring whose selector matches its pod labels, or a scraper job that keeps its pods.`,
                w.urn,
            );
        });
    },
});
