import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { alarmTopicKeyPolicy, DnsFailover, validateDnsFailoverArgs } from "../../infra/dns/failover";
import { DNS_ARGS } from "./componentValues";
import { declare, type Resources } from "./harness";

/**
 * Every value DnsFailover declares, written out by hand: the health checks Route53 runs, the
 * alarms on them, the failover records and the alarm topic's key. A changed threshold, period,
 * target or role would fail over at the wrong time, or never tell anyone; none of the expected
 * values below is computed by the component's code.
 */

const TAGS = { project: "langchain-ha", stack: "prod" };

async function dns(overrides: Partial<typeof DNS_ARGS> = {}): Promise<Resources> {
    return declare(() => new DnsFailover("dns", { ...DNS_ARGS, tags: TAGS, ...overrides }));
}

/** The default declaration, made once: most tests read it. */
let defaults: Promise<Resources> | undefined;
function dnsDefaults(): Promise<Resources> {
    defaults ??= dns();
    return defaults;
}

function byName(r: Resources, type: string): Record<string, Record<string, unknown>> {
    return Object.fromEntries(r.ofType(type).map((x) => [x.name, x.inputs]));
}

const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("DnsFailover (exact)", () => {
    test("every resource sits under the component, whose outputs name both sides' checks, regional names and topic", async () => {
        const r = await dnsDefaults();
        const component = r.ofType("langchain-ha:dns:Failover");
        assert.equal(component.length, 1);
        const urn = component[0]!.urn;
        const children = r.all.filter((x) => x.custom);
        assert.equal(children.length, 11, "key, topic, subscription, 2 regional records, 2 checks, 2 alarms, 2 failover records");
        for (const c of children) assert.equal(c.parent, urn, `${c.type} ${c.name} is a child of the component`);
        const checkId = (side: string) => r.ofType(HEALTH_CHECK).find((c) => c.name === `dns-${side}`)!.id;
        assert.deepEqual(component[0]!.outputs, {
            healthCheckIds: { aws: checkId("aws"), gcp: checkId("gcp") },
            regionalNames: { aws: "aws.rag.example.com", gcp: "gcp.rag.example.com" },
            alarmTopicArn: r.ofType("aws:sns/topic:Topic")[0]!.outputs.arn,
        });
    });

    test("each side's regional name points at its load balancer: a CNAME to a hostname, an A record to an IP", async () => {
        const records = byName(await dnsDefaults(), RECORD);
        assert.deepEqual(records["dns-aws"], { zoneId: "Z0123456789ABC", name: "aws.rag.example.com", type: "CNAME", ttl: 30, records: ["abc.elb.us-east-1.amazonaws.com"] });
        assert.deepEqual(records["dns-gcp"], { zoneId: "Z0123456789ABC", name: "gcp.rag.example.com", type: "A", ttl: 30, records: ["34.1.2.3"] });
    });

    test("the health checks probe HTTPS /health on 443 at the load balancer, every 10 s, 3 failures, from the 3 regions", async () => {
        const checks = byName(await dnsDefaults(), HEALTH_CHECK);
        const common = {
            type: "HTTPS",
            resourcePath: "/health",
            port: 443,
            enableSni: true,
            requestInterval: 10,
            failureThreshold: 3,
            regions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
            measureLatency: true,
        };
        assert.deepEqual(checks["dns-aws"], { ...common, fqdn: "abc.elb.us-east-1.amazonaws.com", tags: { ...TAGS, Name: "rag.example.com aws" } });
        // An IP endpoint is probed by address, with the service's name for SNI and the Host header.
        assert.deepEqual(checks["dns-gcp"], { ...common, ipAddress: "34.1.2.3", fqdn: "rag.example.com", tags: { ...TAGS, Name: "rag.example.com gcp" } });
    });

    test("the health check's interval and threshold follow the arguments", async () => {
        const checks = byName(await dns({ intervalSeconds: 30, failureThreshold: 7 }), HEALTH_CHECK);
        for (const side of ["aws", "gcp"]) assert.deepEqual([checks[`dns-${side}`]!.requestInterval, checks[`dns-${side}`]!.failureThreshold], [30, 7]);
    });

    test("the failover pair: <domain> is a PRIMARY CNAME to the active side and a SECONDARY to the other, each gated by its own check", async () => {
        const r = await dnsDefaults();
        const checkId = (side: string) => r.ofType(HEALTH_CHECK).find((c) => c.name === `dns-${side}`)!.id;
        const records = byName(r, RECORD);
        assert.deepEqual(records["dns-primary"], {
            zoneId: "Z0123456789ABC",
            name: "rag.example.com",
            type: "CNAME",
            ttl: 30,
            records: ["aws.rag.example.com"],
            setIdentifier: "aws-primary",
            failoverRoutingPolicies: [{ type: "PRIMARY" }],
            healthCheckId: checkId("aws"),
        });
        assert.deepEqual(records["dns-secondary"], {
            zoneId: "Z0123456789ABC",
            name: "rag.example.com",
            type: "CNAME",
            ttl: 30,
            records: ["gcp.rag.example.com"],
            setIdentifier: "gcp-secondary",
            failoverRoutingPolicies: [{ type: "SECONDARY" }],
            healthCheckId: checkId("gcp"),
        });
    });

    test("with GCP active its record is PRIMARY, AWS's SECONDARY", async () => {
        const r = await dns({ activeSide: "gcp", ttlSeconds: 60 });
        const checkId = (side: string) => r.ofType(HEALTH_CHECK).find((c) => c.name === `dns-${side}`)!.id;
        const records = byName(r, RECORD);
        assert.deepEqual(
            [records["dns-primary"]!.records, records["dns-primary"]!.setIdentifier, records["dns-primary"]!.healthCheckId, records["dns-primary"]!.ttl],
            [["gcp.rag.example.com"], "gcp-primary", checkId("gcp"), 60],
        );
        assert.deepEqual(
            [records["dns-secondary"]!.records, records["dns-secondary"]!.setIdentifier, records["dns-secondary"]!.healthCheckId],
            [["aws.rag.example.com"], "aws-secondary", checkId("aws")],
        );
        assert.equal(records["dns-aws"]!.ttl, 60);
    });

    test("each alarm fires in us-east-1 when its check's minimum status over one 60 s period is below 1, and notifies the topic", async () => {
        const r = await dnsDefaults();
        const topicArn = r.ofType("aws:sns/topic:Topic")[0]!.outputs.arn;
        const checkId = (side: string) => r.ofType(HEALTH_CHECK).find((c) => c.name === `dns-${side}`)!.id;
        const alarms = byName(r, ALARM);
        for (const side of ["aws", "gcp"]) {
            assert.deepEqual(alarms[`dns-${side}-unhealthy`], {
                region: "us-east-1",
                alarmDescription: `${side}.rag.example.com fails its Route53 health check (/health)`,
                namespace: "AWS/Route53",
                metricName: "HealthCheckStatus",
                dimensions: { HealthCheckId: checkId(side) },
                statistic: "Minimum",
                period: 60,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
                actionsEnabled: true,
                alarmActions: [topicArn],
                okActions: [topicArn],
                tags: TAGS,
            });
        }
    });

    test("a quiet side's alarm is kept with its actions off; the other side's still notifies", async () => {
        for (const quietSide of ["aws", "gcp"] as const) {
            const alarms = byName(await dns({ quietSide }), ALARM);
            assert.deepEqual(
                { aws: alarms["dns-aws-unhealthy"]!.actionsEnabled, gcp: alarms["dns-gcp-unhealthy"]!.actionsEnabled },
                { aws: quietSide !== "aws", gcp: quietSide !== "gcp" },
            );
        }
    });

    test("the alarm topic lives in us-east-1 under a rotated key of its own with a 30-day deletion window", async () => {
        const r = await dnsDefaults();
        const key = r.ofType("aws:kms/key:Key");
        assert.equal(key.length, 1);
        const { policy, ...keyInputs } = key[0]!.inputs;
        assert.deepEqual(keyInputs, { region: "us-east-1", description: "Encryption of the rag.example.com health alarm topic", enableKeyRotation: true, deletionWindowInDays: 30, tags: TAGS });
        assert.equal(JSON.parse(policy as string).Statement[0].Principal.AWS, "arn:aws:iam::123456789012:root");
        assert.deepEqual(r.one("aws:sns/topic:Topic"), { region: "us-east-1", kmsMasterKeyId: key[0]!.outputs.arn, tags: TAGS });
        assert.deepEqual(r.one("aws:sns/topicSubscription:TopicSubscription"), { region: "us-east-1", topic: r.ofType("aws:sns/topic:Topic")[0]!.outputs.arn, protocol: "email", endpoint: "oncall@example.com" });
    });

    test("no e-mail, no subscription; no tags, empty tags", async () => {
        const { alarmEmail: _none, ...withoutEmail } = DNS_ARGS;
        const r = await declare(() => new DnsFailover("dns", withoutEmail));
        assert.equal(r.ofType("aws:sns/topicSubscription:TopicSubscription").length, 0);
        assert.deepEqual(r.one("aws:sns/topic:Topic").tags, {});
        assert.deepEqual(r.one(HEALTH_CHECK, "dns-gcp").tags, { Name: "rag.example.com gcp" });
    });
});

describe("alarmTopicKeyPolicy (exact)", () => {
    function policyOf(caller: { accountId: string; arn: string }): Promise<unknown> {
        return new Promise((resolve) => alarmTopicKeyPolicy(pulumi.output(caller)).apply((p) => resolve(JSON.parse(p))));
    }

    test("the account administers the key; CloudWatch and AMP of this account only may use it, in the caller's partition", async () => {
        assert.deepEqual(await policyOf({ accountId: "210987654321", arn: "arn:aws-cn:iam::210987654321:user/deploy" }), {
            Version: "2012-10-17",
            Statement: [
                { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: "arn:aws-cn:iam::210987654321:root" }, Action: "kms:*", Resource: "*" },
                {
                    Sid: "AlarmsPublish",
                    Effect: "Allow",
                    Principal: { Service: ["cloudwatch.amazonaws.com", "aps.amazonaws.com"] },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:SourceAccount": "210987654321" } },
                },
            ],
        });
    });

    test("an ARN without a partition falls back to aws", async () => {
        const policy = (await policyOf({ accountId: "210987654321", arn: "root" })) as { Statement: Array<{ Principal: { AWS?: string } }> };
        assert.equal(policy.Statement[0]!.Principal.AWS, "arn:aws:iam::210987654321:root");
    });
});

describe("validateDnsFailoverArgs (exact)", () => {
    test("3 checker regions and failure thresholds 1 and 10 are accepted", () => {
        for (const failureThreshold of [1, 10]) assert.doesNotThrow(() => validateDnsFailoverArgs("dns", { ...DNS_ARGS, failureThreshold }));
    });

    test("fewer than 3 regions, a threshold outside 1..10 or an apex domain are refused with the reason", () => {
        assert.throws(() => validateDnsFailoverArgs("dns", { ...DNS_ARGS, checkerRegions: ["us-east-1", "eu-west-1"] }), { message: "DnsFailover dns: Route53 needs at least 3 checker regions, got 2" });
        assert.throws(() => validateDnsFailoverArgs("dns", { ...DNS_ARGS, failureThreshold: 0 }), { message: "DnsFailover dns: failureThreshold must be 1..10, got 0" });
        assert.throws(() => validateDnsFailoverArgs("dns", { ...DNS_ARGS, failureThreshold: 11 }), { message: "DnsFailover dns: failureThreshold must be 1..10, got 11" });
        assert.throws(() => validateDnsFailoverArgs("dns", { ...DNS_ARGS, domain: "localhost" }), { message: "DnsFailover dns: domain must be a subdomain such as rag.example.com, got localhost" });
    });

    test("the component refuses bad arguments before declaring anything", () => {
        assert.throws(() => new DnsFailover("dns", { ...DNS_ARGS, failureThreshold: 0 }), { message: "DnsFailover dns: failureThreshold must be 1..10, got 0" });
    });
});
