import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PROBE_PATHS } from "../../app/src/contract";

/** One side's public endpoint as its load balancer reports it. */
export type Endpoint = { kind: "hostname"; value: pulumi.Input<string> } | { kind: "ip"; value: pulumi.Input<string> };

export interface DnsFailoverArgs {
    hostedZoneId: string;
    /** The service's name, e.g. rag.example.com (a subdomain: CNAMEs cannot sit at the apex). */
    domain: string;
    /** Which side's record is PRIMARY. */
    activeSide: "aws" | "gcp";
    aws: Endpoint;
    gcp: Endpoint;
    ttlSeconds: number;
    /** Route53 request interval: 10 (fast) or 30. */
    intervalSeconds: 10 | 30;
    failureThreshold: number;
    /** Checker regions; at least 3. */
    checkerRegions: string[];
    /** Optional e-mail subscribed to the alarm topic. */
    alarmEmail?: string;
    /**
     * A side whose health-check alarm notifies no one: a pilot-light standby runs no app pod, so
     * its check fails on purpose and its alarm would sit in ALARM forever. The alarm is kept (its
     * state is on the console) with its actions disabled. Defaults to none.
     */
    quietSide?: "aws" | "gcp";
    tags?: Record<string, string>;
}

/** Route53 publishes health-check metrics only in us-east-1, so alarms on them live there. */
const HEALTH_METRICS_REGION = "us-east-1";

/**
 * Policy of the alarm topic's key: the account administers it (the default key policy), and
 * CloudWatch (alarms) and Amazon Managed Service for Prometheus (the alert manager), acting for
 * this account only, may encrypt and decrypt with it to publish.
 */
export function alarmTopicKeyPolicy(caller: pulumi.Output<{ accountId: string; arn: string }>): pulumi.Output<string> {
    return caller.apply(({ accountId, arn }) => {
        const partition = arn.split(":")[1] ?? "aws";
        return JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${accountId}:root` }, Action: "kms:*", Resource: "*" },
                {
                    Sid: "AlarmsPublish",
                    Effect: "Allow",
                    Principal: { Service: ["cloudwatch.amazonaws.com", "aps.amazonaws.com"] },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:SourceAccount": accountId } },
                },
            ],
        });
    });
}

/** Throws on health-check settings Route53 rejects or that a single checker region could flip. */
export function validateDnsFailoverArgs(name: string, args: DnsFailoverArgs): void {
    if (args.checkerRegions.length < 3) throw new Error(`DnsFailover ${name}: Route53 needs at least 3 checker regions, got ${args.checkerRegions.length}`);
    if (args.failureThreshold < 1 || args.failureThreshold > 10) throw new Error(`DnsFailover ${name}: failureThreshold must be 1..10, got ${args.failureThreshold}`);
    if (!args.domain.includes(".")) throw new Error(`DnsFailover ${name}: domain must be a subdomain such as rag.example.com, got ${args.domain}`);
}

/**
 * DNS failover between the clouds: each side gets a stable regional name
 * (`aws.<domain>`, `gcp.<domain>`) and an HTTPS health check on the deep /health path from
 * several checker regions; `<domain>` is a PRIMARY/SECONDARY failover pair of CNAMEs to those
 * names with a low TTL; a CloudWatch alarm per health check notifies an SNS topic.
 */
export class DnsFailover extends pulumi.ComponentResource {
    public readonly healthCheckIds: { aws: pulumi.Output<string>; gcp: pulumi.Output<string> };
    public readonly regionalNames: { aws: string; gcp: string };
    public readonly alarmTopicArn: pulumi.Output<string>;

    constructor(name: string, args: DnsFailoverArgs, opts?: pulumi.ComponentResourceOptions) {
        validateDnsFailoverArgs(name, args);
        super("langchain-ha:dns:Failover", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags ?? {};

        // CloudWatch cannot publish to a topic under the AWS-managed alias/aws/sns key (its policy
        // cannot be changed), so alarms would never arrive: the topic gets a key of its own whose
        // policy lets CloudWatch in this account use it, in the alarms' region.
        const topicKey = new aws.kms.Key(`${name}-alarms`, {
            region: HEALTH_METRICS_REGION,
            description: `Encryption of the ${args.domain} health alarm topic`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: alarmTopicKeyPolicy(aws.getCallerIdentityOutput({}, { parent: this })),
            tags,
        }, parent);
        const topic = new aws.sns.Topic(`${name}-alarms`, { region: HEALTH_METRICS_REGION, kmsMasterKeyId: topicKey.arn, tags }, parent);
        if (args.alarmEmail !== undefined) {
            new aws.sns.TopicSubscription(`${name}-alarms-email`, { region: HEALTH_METRICS_REGION, topic: topic.arn, protocol: "email", endpoint: args.alarmEmail }, parent);
        }

        const sides = { aws: args.aws, gcp: args.gcp };
        const healthCheckIds = {} as { aws: pulumi.Output<string>; gcp: pulumi.Output<string> };
        const regionalNames = { aws: `aws.${args.domain}`, gcp: `gcp.${args.domain}` };
        for (const side of ["aws", "gcp"] as const) {
            const endpoint = sides[side];
            new aws.route53.Record(`${name}-${side}`, {
                zoneId: args.hostedZoneId,
                name: regionalNames[side],
                type: endpoint.kind === "hostname" ? "CNAME" : "A",
                ttl: args.ttlSeconds,
                records: [endpoint.value],
            }, parent);
            const check = new aws.route53.HealthCheck(`${name}-${side}`, {
                type: "HTTPS",
                resourcePath: PROBE_PATHS.health,
                port: 443,
                // Checked at the load balancer directly, not through the failover name it decides.
                ...(endpoint.kind === "hostname" ? { fqdn: endpoint.value } : { ipAddress: endpoint.value, fqdn: args.domain }),
                enableSni: true,
                requestInterval: args.intervalSeconds,
                failureThreshold: args.failureThreshold,
                regions: args.checkerRegions,
                measureLatency: true,
                tags: { ...tags, Name: `${args.domain} ${side}` },
            }, parent);
            new aws.cloudwatch.MetricAlarm(`${name}-${side}-unhealthy`, {
                region: HEALTH_METRICS_REGION,
                alarmDescription: `${regionalNames[side]} fails its Route53 health check (${PROBE_PATHS.health})`,
                namespace: "AWS/Route53",
                metricName: "HealthCheckStatus",
                dimensions: { HealthCheckId: check.id },
                statistic: "Minimum",
                period: 60,
                evaluationPeriods: 1,
                threshold: 1,
                comparisonOperator: "LessThanThreshold",
                treatMissingData: "breaching",
                actionsEnabled: side !== args.quietSide,
                alarmActions: [topic.arn],
                okActions: [topic.arn],
                tags,
            }, parent);
            healthCheckIds[side] = check.id;

            const role = side === args.activeSide ? "PRIMARY" : "SECONDARY";
            new aws.route53.Record(`${name}-${role.toLowerCase()}`, {
                zoneId: args.hostedZoneId,
                name: args.domain,
                type: "CNAME",
                ttl: args.ttlSeconds,
                records: [regionalNames[side]],
                setIdentifier: `${side}-${role.toLowerCase()}`,
                failoverRoutingPolicies: [{ type: role }],
                healthCheckId: check.id,
            }, parent);
        }

        this.healthCheckIds = healthCheckIds;
        this.regionalNames = regionalNames;
        this.alarmTopicArn = topic.arn;
        this.registerOutputs({ healthCheckIds: this.healthCheckIds, regionalNames: this.regionalNames, alarmTopicArn: this.alarmTopicArn });
    }
}
