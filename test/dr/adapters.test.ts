import assert from "node:assert/strict";
import * as http from "node:http";
import { after, before, describe, it } from "node:test";
import { Route53Client } from "@aws-sdk/client-route-53";
import { KubernetesCluster } from "../../infra/dr/adapters/kubernetes";
import { Route53Dns } from "../../infra/dr/adapters/route53";
import { ServiceHttpApi } from "../../infra/dr/adapters/service";
import { PromoteConflict } from "../../infra/dr/adapters/types";
import { KubeStandIn } from "../../infra/dr/local/kubeStandIn";
import { Route53StandIn } from "../../infra/dr/local/route53StandIn";
import { ServiceStandIn } from "./support/serviceStandIn";

const DOMAIN = "rag.example.com";
const bounds = { lifetimeMs: 60_000, maxRequests: 2_000 };

describe("Route53 adapter against the Route53 stand-in", () => {
    let dns: Route53StandIn;
    let adapter: Route53Dns;
    before(async () => {
        dns = await new Route53StandIn({
            hostedZoneId: "Z0ADAPTER0001",
            checks: [{ id: "a", endpoint: "http://127.0.0.1:9/health", intervalSeconds: 10, failureThreshold: 3 }, { id: "g", endpoint: "http://127.0.0.1:9/health", intervalSeconds: 10, failureThreshold: 3 }],
            records: [
                { name: DOMAIN, type: "CNAME", setIdentifier: "aws-primary", failover: "PRIMARY", ttl: 30, value: `aws.${DOMAIN}`, healthCheckId: "a" },
                { name: DOMAIN, type: "CNAME", setIdentifier: "gcp-secondary", failover: "SECONDARY", ttl: 30, value: `gcp.${DOMAIN}`, healthCheckId: "g" },
            ],
            probe: false,
            ...bounds,
        }).start();
        adapter = new Route53Dns({ hostedZoneId: "Z0ADAPTER0001", domain: DOMAIN, regionalNames: { aws: `aws.${DOMAIN}`, gcp: `gcp.${DOMAIN}` }, healthCheckIds: { aws: "a", gcp: "g" } },
            new Route53Client({ region: "us-east-1", endpoint: dns.url, credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 }), 10);
    });
    after(() => dns.stop());

    it("reads the failover pair and the health checks", async () => {
        assert.deepEqual(await adapter.records(), { primary: "aws", secondary: "gcp", ttlSeconds: 30 });
        dns.setHealthy("a", false);
        assert.deepEqual(await adapter.healthCheck("aws"), { healthy: false, checkers: 3, healthyCheckers: 0, inverted: false, disabled: false });
        assert.deepEqual(await adapter.answer(), [`gcp.${DOMAIN}`]);
        dns.setHealthy("a", true);
    });

    it("flips the records in one change, and a second call changes nothing", async () => {
        assert.deepEqual(await adapter.makePrimary("gcp"), { changed: true });
        assert.deepEqual(await adapter.records(), { primary: "gcp", secondary: "aws", ttlSeconds: 30 });
        assert.deepEqual(await adapter.answer(), [`gcp.${DOMAIN}`]);
        const calls = dns.calls.get("ChangeResourceRecordSets");
        assert.deepEqual(await adapter.makePrimary("gcp"), { changed: false });
        assert.equal(dns.calls.get("ChangeResourceRecordSets"), calls);
        assert.deepEqual(await adapter.makePrimary("aws"), { changed: true });
    });

    it("an unhealthy new PRIMARY answers the SECONDARY; both unhealthy answer the PRIMARY (Route53's rule)", () => {
        dns.setHealthy("a", false);
        assert.deepEqual(dns.answer(DOMAIN), [`gcp.${DOMAIN}`]);
        dns.setHealthy("g", false);
        assert.deepEqual(dns.answer(DOMAIN), [`aws.${DOMAIN}`]);
        // Inverting the check of a dead primary makes it read healthy: why the runbook flips records instead.
        dns.checks.get("a")!.inverted = true;
        assert.equal(dns.reported("a"), true);
        dns.checks.get("a")!.inverted = false;
        dns.setHealthy("a", true);
        dns.setHealthy("g", true);
    });

    it("a record that points at neither side is an error, not a guess", async () => {
        dns.records[0]!.value = "elsewhere.example.com";
        await assert.rejects(adapter.records(), /points at elsewhere\.example\.com, which is neither side's regional name/);
        dns.records[0]!.value = `aws.${DOMAIN}`;
    });
});

describe("Route53 stand-in health checking", () => {
    it("flips to unhealthy after failureThreshold failed probes, and back after as many successes", async () => {
        let up = true;
        // Counted as each probe arrives, before it is answered: the stand-in can flip only after that.
        let failedProbes = 0;
        let passedProbes = 0;
        const target = http.createServer((_req, res) => {
            if (up) passedProbes++;
            else failedProbes++;
            res.writeHead(up ? 200 : 503).end();
        });
        await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
        const port = (target.address() as { port: number }).port;
        const dns = new Route53StandIn({ hostedZoneId: "Z0PROBE000001", checks: [{ id: "c", endpoint: `http://127.0.0.1:${port}/health`, intervalSeconds: 0.05, failureThreshold: 3 }], records: [], probe: true, ...bounds });
        await dns.start();
        try {
            await new Promise((r) => setTimeout(r, 200));
            assert.equal(dns.reported("c"), true);
            up = false;
            const flippedAfter = Date.now();
            while (dns.reported("c") && Date.now() - flippedAfter < 2_000) await new Promise((r) => setTimeout(r, 10));
            assert.equal(dns.reported("c"), false);
            assert.ok(failedProbes >= 3, `flipped after ${failedProbes} failed probes: needs 3 in a row`);
            up = true;
            passedProbes = 0;
            while (!dns.reported("c") && Date.now() - flippedAfter < 4_000) await new Promise((r) => setTimeout(r, 10));
            assert.equal(dns.reported("c"), true);
            assert.ok(passedProbes >= 3, `flipped back after ${passedProbes} passed probes: needs 3 in a row`);
        } finally {
            await dns.stop();
            target.close();
        }
    });
});

describe("Kubernetes adapter against the Kubernetes stand-in", () => {
    let kube: KubeStandIn;
    let cluster: KubernetesCluster;
    before(async () => {
        kube = await new KubeStandIn("ns1", bounds).start();
        kube.deployments.set("app", { replicas: 0, readyReplicas: 0 });
        kube.deployments.set("served", { replicas: 2, readyReplicas: 2 });
        kube.autoscalers.set("served", { minReplicas: 2, maxReplicas: 2 });
        kube.secrets.set("admin", { token: "s3cret" });
        cluster = new KubernetesCluster(kube.kubeconfig(), "ns1");
    });
    after(() => kube.stop());

    it("scales a Deployment without an autoscaler", async () => {
        await cluster.setCapacity("app", 3);
        assert.deepEqual(await cluster.deployment("app"), { replicas: 3, readyReplicas: 3 });
    });

    it("raises an autoscaler's floor (and ceiling when below it) with the Deployment", async () => {
        await cluster.setCapacity("served", 4);
        assert.deepEqual(kube.autoscalers.get("served"), { minReplicas: 4, maxReplicas: 4 });
        assert.equal((await cluster.deployment("served"))!.replicas, 4);
    });

    it("reads a Secret's key; a missing Deployment or Secret is undefined", async () => {
        assert.equal(await cluster.secretValue("admin", "token"), "s3cret");
        assert.equal(await cluster.secretValue("none", "token"), undefined);
        assert.equal(await cluster.deployment("none"), undefined);
    });
});

describe("service adapter against a service stand-in", () => {
    let service: ServiceStandIn;
    before(async () => {
        service = await new ServiceStandIn({ role: "standby", epoch: 4, fenced: false, position: { epoch: 4, seq: 1 }, head: { epoch: 4, seq: 1 }, lagSeconds: 0.2, fitForFailover: true, reason: "ok", healthStatus: 200, plannedConflict: true }, "tok").start();
    });
    after(() => service.stop());

    it("sends the admin token, maps 409 to a conflict, and a dead side to a clear error", async () => {
        const api = new ServiceHttpApi(service.url, async () => "tok");
        assert.equal((await api.replication()).epoch, 4);
        await assert.rejects(api.promote("planned"), PromoteConflict);
        assert.equal((await api.promote("unplanned")).epoch, 5);
        await assert.rejects(new ServiceHttpApi(service.url, async () => "wrong").promote("planned"), /answered 401/);
        await assert.rejects(new ServiceHttpApi("http://127.0.0.1:9", async () => "tok", 500).replication(), /127\.0\.0\.1:9 unreachable/);
    });
});
