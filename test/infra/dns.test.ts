import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DnsFailover, ServiceCertificate, validateDnsFailoverArgs } from "../../infra/dns";
import { DNS_ARGS } from "./componentArgs";
import { declare } from "./harness";

const args = DNS_ARGS;

describe("DnsFailover", () => {
    test("health-checks both sides over HTTPS on /health, every 10 s, from at least 3 regions", async () => {
        const r = await declare(() => new DnsFailover("dns", args));
        const checks = r.inputsOf("aws:route53/healthCheck:HealthCheck");
        assert.equal(checks.length, 2);
        for (const c of checks) {
            assert.deepEqual([c.type, c.resourcePath, c.port, c.requestInterval, c.failureThreshold], ["HTTPS", "/health", 443, 10, 3]);
            assert.ok(c.regions.length >= 3);
        }
        assert.equal(r.one("aws:route53/healthCheck:HealthCheck", "dns-aws").fqdn, "abc.elb.us-east-1.amazonaws.com");
        const gcp = r.one("aws:route53/healthCheck:HealthCheck", "dns-gcp");
        assert.deepEqual([gcp.ipAddress, gcp.fqdn], ["34.1.2.3", "rag.example.com"]);
    });

    test("publishes a PRIMARY and a SECONDARY record of the same name and type, each with its side's health check", async () => {
        const r = await declare(() => new DnsFailover("dns", args));
        const checkId = (side: string) => r.ofType("aws:route53/healthCheck:HealthCheck").find((c) => c.name === `dns-${side}`)!.id;
        const primary = r.one("aws:route53/record:Record", "dns-primary");
        const secondary = r.one("aws:route53/record:Record", "dns-secondary");
        assert.deepEqual([primary.name, primary.type, primary.failoverRoutingPolicies[0].type], ["rag.example.com", "CNAME", "PRIMARY"]);
        assert.deepEqual([secondary.name, secondary.type, secondary.failoverRoutingPolicies[0].type], ["rag.example.com", "CNAME", "SECONDARY"]);
        assert.deepEqual(primary.records, ["aws.rag.example.com"]);
        assert.deepEqual(secondary.records, ["gcp.rag.example.com"]);
        assert.equal(primary.healthCheckId, checkId("aws"));
        assert.equal(secondary.healthCheckId, checkId("gcp"));
        assert.equal(primary.ttl, 30);
        assert.notEqual(primary.setIdentifier, secondary.setIdentifier);
        assert.equal(r.one("aws:route53/record:Record", "dns-gcp").type, "A");
    });

    test("activeSide gcp makes the GCP record PRIMARY", async () => {
        const r = await declare(() => new DnsFailover("dns", { ...args, activeSide: "gcp" }));
        assert.deepEqual(r.one("aws:route53/record:Record", "dns-primary").records, ["gcp.rag.example.com"]);
        assert.deepEqual(r.one("aws:route53/record:Record", "dns-secondary").records, ["aws.rag.example.com"]);
    });

    test("alarms on each health check's status in us-east-1, to an SNS topic there", async () => {
        const r = await declare(() => new DnsFailover("dns", args));
        const topic = r.ofType("aws:sns/topic:Topic")[0]!;
        assert.equal((topic.inputs as { region: string }).region, "us-east-1");
        const alarms = r.inputsOf("aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.equal(alarms.length, 2);
        const checkIds = r.ofType("aws:route53/healthCheck:HealthCheck").map((c) => c.id).sort();
        assert.deepEqual(alarms.map((a) => a.dimensions.HealthCheckId).sort(), checkIds);
        for (const a of alarms) {
            assert.deepEqual([a.region, a.namespace, a.metricName, a.comparisonOperator, a.treatMissingData], ["us-east-1", "AWS/Route53", "HealthCheckStatus", "LessThanThreshold", "breaching"]);
            assert.deepEqual(a.alarmActions, [topic.outputs.arn]);
        }
        assert.equal(r.one("aws:sns/topicSubscription:TopicSubscription").endpoint, "oncall@example.com");
    });

    test("both sides' alarms notify by default; a pilot-light standby's is kept but notifies no one", async () => {
        const warm = await declare(() => new DnsFailover("dns", args));
        assert.deepEqual(warm.inputsOf("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.actionsEnabled), [true, true]);
        const pilot = await declare(() => new DnsFailover("dns", { ...args, quietSide: "gcp" }));
        const bySide = Object.fromEntries(pilot.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => [a.name, (a.inputs as { actionsEnabled: boolean }).actionsEnabled]));
        assert.deepEqual(bySide, { "dns-aws-unhealthy": true, "dns-gcp-unhealthy": false });
    });

    test("the alarm topic is under a key of its own that CloudWatch may use, not alias/aws/sns", async () => {
        const r = await declare(() => new DnsFailover("dns", args));
        const key = r.ofType("aws:kms/key:Key").find((k) => k.name === "dns-alarms")!;
        const topic = r.one("aws:sns/topic:Topic");
        assert.equal(topic.kmsMasterKeyId, key.outputs.arn);
        assert.equal((key.inputs as { region: string }).region, "us-east-1", "the key lives in the alarms' region");
        const policy = JSON.parse((key.inputs as { policy: string }).policy);
        assert.deepEqual(policy.Statement[1], {
            Sid: "AlarmsPublish",
            Effect: "Allow",
            Principal: { Service: ["cloudwatch.amazonaws.com", "aps.amazonaws.com"] },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        });
        assert.deepEqual(policy.Statement[0].Principal, { AWS: "arn:aws:iam::123456789012:root" });
    });

    test("refuses fewer than 3 checker regions", () => {
        assert.throws(() => validateDnsFailoverArgs("dns", { ...args, checkerRegions: ["us-east-1", "eu-west-1"] }), { message: "DnsFailover dns: Route53 needs at least 3 checker regions, got 2" });
        assert.doesNotThrow(() => validateDnsFailoverArgs("dns", args));
    });
});

describe("ServiceCertificate", () => {
    test("validates the certificate through a Route53 record", async () => {
        const r = await declare(() => new ServiceCertificate("cert", { domain: "rag.example.com", hostedZoneId: "Z0123456789ABC" }));
        assert.equal(r.one("aws:acm/certificate:Certificate").validationMethod, "DNS");
        const record = r.one("aws:route53/record:Record");
        assert.match(record.name, /\.rag\.example\.com\.$/);
        assert.deepEqual(r.one("aws:acm/certificateValidation:CertificateValidation").validationRecordFqdns, [record.name]);
    });
});
