import assert from "node:assert/strict";
import * as fs from "node:fs";
import { describe, test } from "node:test";
import { parse, stringify } from "yaml";
import { readmeSpec, README_PATH, withAlertTable } from "../../infra/observability/docs";
import {
    alertCatalogue, alertingRules, alertManagerDefinition, cloudMonitoringDashboard, dashboard, dashboardQueries, grafanaDashboard, runbookAnchor,
    scrapeConfiguration, scrapeTargets, toRuleFile,
} from "../../infra/observability";
import { checkConfig, checkRules, PROMTOOL_MISSING, promtoolPath } from "../support/promtool";
import { STACKS, stackSpec } from "./specs";

describe("generated artefacts pass promtool's syntax checks", () => {
    // Debian's promtool is built without Kubernetes discovery, so the discovery block is swapped
    // for a static target: what promtool checks is the rest (relabelling, authorization, paths).
    const withoutDiscovery = (config: string) => {
        const doc = parse(config) as { scrape_configs: Record<string, unknown>[] };
        for (const job of doc.scrape_configs) {
            assert.ok(Array.isArray(job["kubernetes_sd_configs"]), "jobs discover pods");
            delete job["kubernetes_sd_configs"];
            job["static_configs"] = [{ targets: ["127.0.0.1:8080"] }];
        }
        return stringify(doc);
    };

    test("the managed scraper's configuration, with and without a bearer token", () => {
        for (const tokens of [{}, { qdrant: "key" }] as Record<string, string>[]) {
            const result = checkConfig(withoutDiscovery(scrapeConfiguration(scrapeTargets({}), "langchain-ha", tokens)));
            assert.ok(result.ok, result.output);
        }
        // A configuration promtool rejects fails the check, so the check can fail.
        assert.equal(checkConfig("scrape_configs:\n  - job_name: x\n    scrape_interval: often\n").ok, false);
    });

    for (const stack of STACKS) {
        test(`every dashboard query of ${stack}, unscoped (Grafana on AMP) and scoped (Cloud Monitoring)`, () => {
            const spec = stackSpec(stack);
            for (const scope of [{}, { cluster: `${stack}-gke`, namespace: "langchain-ha" }] as Record<string, string>[]) {
                const queries = dashboardQueries(dashboard(spec, scope));
                // Each query as a recording rule: promtool parses its PromQL.
                const rules = toRuleFile([{ name: "dashboard", interval: "1m", rules: queries.map((expr, i) => ({ record: `dashboard:query${i}`, expr })) }]);
                const result = checkRules(rules);
                assert.ok(result.ok, result.output);
            }
        });
    }
});

describe("dashboards", () => {
    test("Grafana and Cloud Monitoring render the same panels, with their own legend syntax", () => {
        const d = dashboard(stackSpec("prod"));
        const grafana = grafanaDashboard(d) as { panels: { title: string; targets: { expr: string; legendFormat: string }[] }[] };
        const gcp = cloudMonitoringDashboard(d) as { mosaicLayout: { tiles: { widget: { title: string; xyChart: { dataSets: { timeSeriesQuery: { prometheusQuery: string }; legendTemplate: string }[] } } }[] } };
        assert.deepEqual(grafana.panels.map((p) => p.title), gcp.mosaicLayout.tiles.map((t) => t.widget.title));
        assert.deepEqual(grafana.panels.flatMap((p) => p.targets.map((t) => t.expr)), gcp.mosaicLayout.tiles.flatMap((t) => t.widget.xyChart.dataSets.map((s) => s.timeSeriesQuery.prometheusQuery)));
        const breakers = gcp.mosaicLayout.tiles.find((t) => t.widget.title.startsWith("Circuit breakers"))!;
        assert.equal(breakers.widget.xyChart.dataSets[0]!.legendTemplate, "${labels.dependency}");
        assert.equal(grafana.panels.find((p) => p.title.startsWith("Circuit breakers"))!.targets[0]!.legendFormat, "{{dependency}}");
    });
});

describe("alert routing and runbooks", () => {
    test("the alert manager sends every alert to the SNS topic in the topic's region", () => {
        const definition = parse(alertManagerDefinition("arn:aws:sns:us-east-1:1:t", "us-east-1", "prod")) as { alertmanager_config: string };
        const config = parse(definition.alertmanager_config) as { route: { receiver: string; routes?: unknown[] }; receivers: { name: string; sns_configs: { topic_arn: string; sigv4: { region: string } }[] }[] };
        assert.equal(config.route.routes, undefined, "one route: nothing is dropped");
        assert.deepEqual(config.receivers.map((r) => [r.name, r.sns_configs[0]!.topic_arn, r.sns_configs[0]!.sigv4.region]), [[config.route.receiver, "arn:aws:sns:us-east-1:1:t", "us-east-1"]]);
    });

    test("README's alert table is current (npm run docs:alerts) and has the anchor of every runbook link", () => {
        const readme = fs.readFileSync(README_PATH, "utf8");
        assert.equal(readme, withAlertTable(readme, readmeSpec()), "README.md's alert table is stale: run npm run docs:alerts");
        const spec = stackSpec("prod");
        for (const rule of alertingRules(spec)) {
            const anchor = rule.annotations["runbook_url"]!.split("#")[1]!;
            assert.ok(readme.includes(`<a id="${anchor}"></a>`), `README.md has no anchor ${anchor} for ${rule.alert}`);
        }
        for (const alert of alertCatalogue(spec)) {
            assert.ok(readme.includes(`<a id="${runbookAnchor(alert.name)}"></a>`), `README.md has no anchor ${runbookAnchor(alert.name)} for ${alert.name}`);
        }
    });
});

describe("promtool", () => {
    test("when it is nowhere, the tests fail with one line that says how to install it", () => {
        const saved = { PATH: process.env["PATH"], PROMTOOL: process.env["PROMTOOL"], GOBIN: process.env["GOBIN"] };
        try {
            process.env["PATH"] = "/nonexistent";
            process.env["PROMTOOL"] = "";
            process.env["GOBIN"] = "/nonexistent";
            assert.throws(() => promtoolPath(), { message: PROMTOOL_MISSING });
            assert.equal(PROMTOOL_MISSING.split("\n").length, 1);
            assert.match(PROMTOOL_MISSING, /npm run promtool:install/);
        } finally {
            for (const [k, v] of Object.entries(saved)) {
                if (v === undefined) delete process.env[k];
                else process.env[k] = v;
            }
        }
    });
});
