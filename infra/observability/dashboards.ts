import { eq, num, oneOf, sel, type Scope } from "./promql";
import { BUDGET_REMAINING_SERIES, errorRatioSeries } from "./slo";
import { JOBS, SNAPSHOT_CRONJOB, type ObservabilitySpec } from "./spec";

/** A panel: a title, a unit and the queries it plots. */
export interface Panel {
    title: string;
    /** Grafana unit id; Cloud Monitoring shows it as the axis label. */
    unit: "reqps" | "percentunit" | "s" | "short";
    queries: { expr: string; legend: string }[];
}

export interface Dashboard {
    title: string;
    panels: Panel[];
}

/**
 * The dashboard of one side, from the same spec as the rules: golden signals (traffic, errors,
 * latency, saturation), error budget left, replication, breakers, degraded answers, tokens.
 */
export function dashboard(spec: ObservabilitySpec, scope: Scope = {}): Dashboard {
    const availability = spec.slos.find((s) => s.sli.kind === "availability");
    const routes = availability?.sli.routes ?? ["/v1/ask"];
    const route = oneOf("route", routes);
    const rate = (metric: string, window = "5m", ...m: string[]) => `rate(${sel(metric, scope, ...m)}[${window}])`;
    const quantile = (q: number) => `histogram_quantile(${q}, sum by (le) (${rate("http_request_duration_seconds_bucket", "5m", route)}))`;
    return {
        title: `langchain-ha ${spec.environment}`,
        panels: [
            { title: "Traffic by route", unit: "reqps", queries: [{ expr: `sum by (route) (${rate("http_requests_total")})`, legend: "{{route}}" }] },
            {
                title: "Error ratio (SLO routes, 5 min)",
                unit: "percentunit",
                queries: spec.slos.map((s) => ({ expr: sel(errorRatioSeries("5m"), scope, eq("slo", s.name)), legend: s.name })),
            },
            {
                title: "Latency (SLO routes)",
                unit: "s",
                queries: [{ expr: quantile(0.5), legend: "p50" }, { expr: quantile(0.99), legend: "p99" }],
            },
            { title: "Saturation: requests shed (429)", unit: "reqps", queries: [{ expr: `sum(${rate("load_shed_requests_total")})`, legend: "shed" }] },
            {
                title: `Error budget left (${spec.slos[0]?.windowDays ?? 30} d)`,
                unit: "percentunit",
                queries: [{ expr: `max by (slo) (${sel(BUDGET_REMAINING_SERIES, scope)})`, legend: "{{slo}}" }],
            },
            {
                title: "Replication lag (standby)",
                unit: "s",
                queries: [
                    { expr: `min(${sel("replication_lag_seconds", scope)} >= 0)`, legend: "lag" },
                    { expr: `vector(${num(spec.limits.rpoSeconds / 2)})`, legend: "half the RPO" },
                ],
            },
            {
                title: "Standby fit for failover, journal write errors",
                unit: "short",
                queries: [
                    { expr: `max(${sel("replication_fit_for_failover", scope)})`, legend: "fit for failover" },
                    { expr: `sum(${rate("journal_writes_total", "5m", eq("outcome", "error"))})`, legend: "journal errors/s" },
                ],
            },
            {
                title: "Newest snapshot set age",
                unit: "s",
                queries: [
                    { expr: `time() - max(${sel("kube_cronjob_status_last_successful_time", scope, eq("cronjob", SNAPSHOT_CRONJOB))})`, legend: "age" },
                    { expr: `vector(${num(spec.limits.rpoSeconds)})`, legend: "RPO" },
                ],
            },
            { title: "Circuit breakers (0 closed, 1 half-open, 2 open)", unit: "short", queries: [{ expr: `max by (dependency) (${sel("circuit_breaker_state", scope)})`, legend: "{{dependency}}" }] },
            { title: "Degraded answers by component", unit: "reqps", queries: [{ expr: `sum by (component) (${rate("degraded_answers_total")})`, legend: "{{component}}" }] },
            { title: "Answers by step of the fallback chain", unit: "reqps", queries: [{ expr: `sum by (answered_by) (${rate("answers_total")})`, legend: "{{answered_by}}" }] },
            { title: "LLM tokens by provider", unit: "short", queries: [{ expr: `sum by (provider, kind) (${rate("llm_tokens_total")})`, legend: "{{provider}} {{kind}}" }] },
            { title: "LLM call errors by provider", unit: "reqps", queries: [{ expr: `sum by (provider) (${rate("llm_calls_total", "5m", eq("outcome", "error"))})`, legend: "{{provider}}" }] },
            { title: "Qdrant peers up", unit: "short", queries: [{ expr: `sum(${sel("up", scope, eq("job", JOBS.qdrant))})`, legend: "peers up" }] },
        ],
    };
}

const WIDTH = 12;
const HEIGHT = 8;

/** Grafana dashboard JSON (import into Amazon Managed Grafana or any Grafana with the AMP data source). */
export function grafanaDashboard(d: Dashboard): Record<string, unknown> {
    const datasource = { type: "prometheus", uid: "${datasource}" };
    return {
        title: d.title,
        uid: d.title.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 40),
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        templating: { list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Prometheus" }] },
        panels: d.panels.map((p, i) => ({
            id: i + 1,
            type: "timeseries",
            title: p.title,
            datasource,
            gridPos: { x: (i % 2) * WIDTH, y: Math.floor(i / 2) * HEIGHT, w: WIDTH, h: HEIGHT },
            fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
            targets: p.queries.map((q, j) => ({ refId: String.fromCharCode(65 + j), datasource, expr: q.expr, legendFormat: q.legend })),
        })),
    };
}

/** Cloud Monitoring dashboard JSON (monitoring.googleapis.com Dashboard), PromQL tiles. */
export function cloudMonitoringDashboard(d: Dashboard): Record<string, unknown> {
    const columns = 48;
    const width = columns / 2;
    return {
        displayName: d.title,
        mosaicLayout: {
            columns,
            tiles: d.panels.map((p, i) => ({
                xPos: (i % 2) * width,
                yPos: Math.floor(i / 2) * 16,
                width,
                height: 16,
                widget: {
                    title: p.title,
                    xyChart: {
                        dataSets: p.queries.map((q) => ({ timeSeriesQuery: { prometheusQuery: q.expr }, plotType: "LINE", legendTemplate: q.legend.replace(/\{\{(\w+)\}\}/g, "$${labels.$1}") })),
                        yAxis: { scale: "LINEAR", label: p.unit },
                    },
                },
            })),
        },
    };
}

/** Every query of a dashboard, for syntax checks. */
export function dashboardQueries(d: Dashboard): string[] {
    return d.panels.flatMap((p) => p.queries.map((q) => q.expr));
}
