import { z } from "zod";
import { DEFAULT_MODELS } from "../../app/src/config/env-schema";
import { DEFAULT_EMBEDDING_MODELS, EMBEDDING_PROVIDERS, KNOWN_EMBEDDING_MODELS, MAX_DIMENSIONS } from "../../app/src/embeddings/models";
import { backupSchedule, journalExpiry, recoveryTimes, JOURNAL_MARGIN_SNAPSHOTS, LOGICAL_SNAPSHOT_ROOT, MIN_SCHEDULE_RPO_MINUTES, MIN_TRANSFER_REPEAT_MINUTES } from "./derive";
import { HTTP_LATENCY_BUCKETS_SECONDS } from "../../app/src/contract";

/**
 * The stack config schema. Every value a stack would want to change lives here, with a
 * default that is safe for a highly available deployment; cross-field rules that make a
 * stack a single point of failure (too few zones, replication factor above replica count,
 * an RTO the DNS settings cannot meet) are rejected here, before any resource is declared.
 */

const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "must be an AWS region such as us-east-1");
const gcpRegion = z.string().regex(/^[a-z]+-[a-z]+\d$/, "must be a GCP region such as europe-west1");
const cidr = z
    .string()
    .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, "must be an IPv4 CIDR block such as 10.20.0.0/16")
    .refine((v) => v.split("/")[0]!.split(".").every((o) => Number(o) <= 255), "has an octet above 255");
/** A CIDR allowed to reach a cluster's API: never the whole internet. */
const apiAccessCidr = cidr.refine((v) => !v.endsWith("/0"), "opens the API to the whole internet; list the CI runners' and on-call's egress CIDRs, or none for a private endpoint");
const hostname = z
    .string()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a DNS name such as rag.example.com");
/** The Qdrant server the service's client (app/package.json) is kept within one minor of. */
export const DEFAULT_QDRANT_IMAGE = "qdrant/qdrant:v1.15.4";

/** The VPC's prefix at most: its 16 subnets are 4 bits longer, and AWS's smallest subnet is a /28. */
const MAX_VPC_PREFIX = 24;

const image = z.string().regex(/^[\w.\-/:@]+$/, "must be a container image reference such as qdrant/qdrant:v1.15.4");
const quantity = z.string().regex(/^\d+(\.\d+)?(m|Mi|Gi|Ki)?$/, "must be a Kubernetes quantity such as 500m or 2Gi");

/** The Route53 health-checker regions AWS accepts. */
const ROUTE53_CHECKER_REGIONS = [
    "us-east-1", "us-west-1", "us-west-2", "eu-west-1",
    "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1",
] as const;

const resources = z.strictObject({
    cpu: quantity,
    memory: quantity,
});

const awsSchema = z
    .strictObject({
        region: awsRegion.default("us-east-1"),
        /** Zones to spread over; at least 2, defaults to `<region>a|b|c`. */
        availabilityZones: z.array(z.string()).min(2, "needs at least 2 zones: one zone is a single point of failure").max(6).optional(),
        /** Split into 16 subnets of /(prefix+4) (public + private per zone); AWS subnets are /28 at the smallest, so /24 at the smallest. */
        vpcCidr: cidr
            .refine((v) => Number(v.split("/")[1]) <= MAX_VPC_PREFIX, `is too small: it is split into 16 subnets of /(prefix+4), and an AWS subnet is at most a /28; use a /${MAX_VPC_PREFIX} or larger block such as 10.20.0.0/16`)
            .default("10.20.0.0/16"),
        eks: z
            .strictObject({
                /**
                 * Kubernetes version. Pick one in EKS standard support (14 months from its EKS
                 * release; see the EKS Kubernetes release calendar): past it a cluster pays for
                 * extended support. 1.35 is in standard support until 27 March 2027.
                 */
                version: z.string().regex(/^1\.\d{2}$/, "must be an EKS Kubernetes version such as 1.35").default("1.35"),
                /** `STANDARD`: EKS upgrades the control plane when standard support ends instead of billing extended support. */
                supportType: z.enum(["STANDARD", "EXTENDED"]).default("STANDARD"),
                /** Cluster autoscaler image; its minor must match `version`. Defaults to registry.k8s.io/autoscaling/cluster-autoscaler:v<version>.0. */
                clusterAutoscalerImage: image.optional(),
                instanceTypes: z.array(z.string().min(1)).min(1).default(["m6i.xlarge"]),
                capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
                diskSizeGb: z.number().int().min(20).default(100),
                nodesPerZone: z
                    .strictObject({
                        min: z.number().int().min(1, "must be at least 1: a zone with no node cannot host its replica").default(1),
                        desired: z.number().int().min(1).default(2),
                        max: z.number().int().min(1).default(4),
                    })
                    .default({ min: 1, desired: 2, max: 4 }),
                /**
                 * CIDRs allowed to reach the API endpoint from outside the VPC: CI runners' and the
                 * on-call's egress. Empty (the default): private endpoint only, reached through the VPC.
                 */
                publicAccessCidrs: z.array(apiAccessCidr).default([]),
                /**
                 * IAM roles or users given cluster-admin through access entries: the role that runs
                 * `pulumi up` (CI's deploy role) and the on-call's. Required: the cluster grants its
                 * creator nothing implicitly, so listing the deployer never collides with an entry
                 * EKS made itself (CreateAccessEntry would answer 409).
                 */
                adminPrincipalArns: z
                    .array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/.+$/, "must be an IAM role or user ARN"))
                    .min(1, "must list at least the role that runs pulumi up: the cluster grants its creator no access"),
            })
            // Parsing {} names adminPrincipalArns as required, by its key.
            .prefault({} as { adminPrincipalArns: string[] }),
    })
    .prefault({});

const gcpSchema = z.strictObject({
    project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project id"),
    region: gcpRegion.default("europe-west1"),
    /** Zones of the regional cluster; at least 2, defaults to `<region>-b|c|d`. */
    zones: z.array(z.string()).min(2, "needs at least 2 zones: one zone is a single point of failure").max(4).optional(),
    subnetCidr: cidr.default("10.40.0.0/20"),
    podsCidr: cidr.default("10.44.0.0/14"),
    servicesCidr: cidr.default("10.48.0.0/20"),
    /** /28 for the GKE control plane's private endpoint. */
    masterCidr: cidr.refine((v) => v.endsWith("/28"), "must be a /28 block").default("172.16.0.0/28"),
    gke: z
        .strictObject({
            releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default("REGULAR"),
            machineType: z.string().min(1).default("e2-standard-4"),
            diskSizeGb: z.number().int().min(20).default(100),
            /**
             * CIDRs allowed to reach the control plane's public endpoint (master authorized networks):
             * CI runners' and the on-call's egress. Empty (the default): private endpoint only.
             */
            masterAuthorizedCidrs: z.array(apiAccessCidr).default([]),
            /**
             * GKE refuses to delete the cluster (and so `pulumi destroy`) while this is true. Defaults to
             * true; set false on a stack meant to be torn down often, or before a planned teardown.
             */
            deletionProtection: z.boolean().default(true),
            nodesPerZone: z
                .strictObject({
                    min: z.number().int().min(1, "must be at least 1: Qdrant keeps running on the DR side in every mode").default(1),
                    max: z.number().int().min(1).default(4),
                })
                .default({ min: 1, max: 4 }),
        })
        .prefault({}),
});

const drSchema = z
    .strictObject({
        /** `warm`: the DR side serves with reduced replicas; `pilot-light`: app scaled to zero, data kept in sync. */
        mode: z.enum(["warm", "pilot-light"]).default("warm"),
        /** Which cloud currently serves traffic (the PRIMARY failover record). */
        activeSide: z.enum(["aws", "gcp"]).default("aws"),
        rtoMinutes: z.number().positive().max(24 * 60).default(15),
        rpoMinutes: z.number().int().min(10, "must be at least 10: snapshot and transfer each need 5 minutes").max(7 * 24 * 60).default(60),
        /** App replicas on the standby side in warm mode. */
        standbyReplicas: z.number().int().min(2, "must be at least 2: a warm standby with one replica is a single point of failure").default(2),
        /** How long the standby takes to scale from pilot light to serving; counts towards the RTO. */
        scaleUpMinutes: z.number().nonnegative().default(10),
    })
    .prefault({});

const qdrantSchema = z
    .strictObject({
        image: image.default(DEFAULT_QDRANT_IMAGE),
        replicas: z.number().int().min(3, "must be at least 3: Raft consensus needs a majority after losing one peer").default(3),
        storageGi: z.number().int().min(1).default(50),
        storageClass: z.strictObject({ aws: z.string().min(1), gcp: z.string().min(1) }).default({ aws: "gp3", gcp: "premium-rwo" }),
        collection: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "must be a collection name of letters, digits, _ or -").default("documents"),
        replicationFactor: z.number().int().min(2, "must be at least 2: one copy of a shard is a single point of failure").default(2),
        /** Replicas that must acknowledge a write; at most replicationFactor - 1 so writes survive one lost node. */
        writeConsistencyFactor: z.number().int().min(1).default(1),
        shardNumber: z.number().int().min(1).optional(),
        resources: resources.default({ cpu: "1", memory: "4Gi" }),
    })
    .prefault({});

const llmProvider = z.enum(["openai", "anthropic", "google", "none"]);
const modelId = z.string().regex(/^[A-Za-z0-9][\w.:\-/]*$/, "must be a model id such as gpt-5.4-mini");

/**
 * Dense embeddings for retrieval (docs/service.md, "Retrieval"). The model and width are
 * resolved here and set on the Deployments explicitly, so a change of the service's defaults
 * never moves a stack to another vector space silently; changing either fills a new Qdrant
 * collection and switches the alias to it. `none`: lexical (sparse) retrieval only.
 */
const embeddingsSchema = z
    .strictObject({
        provider: z.enum([...EMBEDDING_PROVIDERS, "none"]).default("openai"),
        model: modelId.optional(),
        dimensions: z.number().int().min(1).max(MAX_DIMENSIONS, `must be at most ${MAX_DIMENSIONS} (Qdrant's limit)`).optional(),
    })
    .superRefine((e, ctx) => {
        if (e.provider === "none") {
            if (e.model !== undefined || e.dimensions !== undefined) ctx.addIssue({ code: "custom", path: ["provider"], message: "is none while model or dimensions is set" });
            return;
        }
        const model = e.model ?? DEFAULT_EMBEDDING_MODELS[e.provider];
        const known = KNOWN_EMBEDDING_MODELS[model];
        if (known && known.provider !== e.provider) ctx.addIssue({ code: "custom", path: ["model"], message: `${model} is a ${known.provider} model, not ${e.provider}'s` });
        else if (known && e.dimensions !== undefined && (e.dimensions < known.min || e.dimensions > known.max)) {
            ctx.addIssue({ code: "custom", path: ["dimensions"], message: `${model} makes vectors of ${known.min === known.max ? `only ${known.max}` : `${known.min} to ${known.max}`} dimensions` });
        } else if (!known && e.dimensions === undefined) {
            ctx.addIssue({ code: "custom", path: ["dimensions"], message: `is required for ${model} (its width is not known to the service)` });
        }
    })
    .transform((e) =>
        e.provider === "none"
            ? { provider: "none" as const }
            : (() => {
                  const model = e.model ?? DEFAULT_EMBEDDING_MODELS[e.provider];
                  return { provider: e.provider, model, dimensions: e.dimensions ?? KNOWN_EMBEDDING_MODELS[model]!.defaultDimensions };
              })(),
    );

const appSchema = z
    .strictObject({
        image: image.default("ghcr.io/langchain-ha/app:0.1.0"),
        replicas: z.number().int().min(2, "must be at least 2: one replica is a single point of failure").default(3),
        maxReplicas: z.number().int().min(2).default(12),
        targetCpuPercent: z.number().int().min(10).max(95).default(70),
        llm: z
            .strictObject({
                primary: llmProvider.default("openai"),
                secondary: llmProvider.default("anthropic"),
                /**
                 * The model id per provider, set on the Deployments explicitly so an upgrade of the
                 * service's defaults never changes a stack silently. The service checks each with
                 * its provider at start and refuses an id the provider does not know.
                 */
                models: z
                    .strictObject({
                        openai: modelId.default(DEFAULT_MODELS.openai),
                        anthropic: modelId.default(DEFAULT_MODELS.anthropic),
                        google: modelId.default(DEFAULT_MODELS.google),
                    })
                    .prefault({}),
            })
            .prefault({}),
        embeddings: embeddingsSchema.prefault({}),
        resources: resources.default({ cpu: "500m", memory: "1Gi" }),
    })
    .prefault({});

const dnsSchema = z.strictObject({
    /** The Route53 hosted zone that holds `domain`. */
    hostedZoneId: z.string().regex(/^Z[A-Z0-9]{4,32}$/, "must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
    /** The zone's apex, e.g. example.com. */
    zoneName: hostname,
    /** The service's name; a strict subdomain of zoneName (failover CNAMEs cannot sit at the apex). */
    domain: hostname,
    ttlSeconds: z.number().int().min(5).max(300, "must be at most 300: a long TTL keeps clients on a failed region").default(30),
    healthCheck: z
        .strictObject({
            intervalSeconds: z.union([z.literal(10), z.literal(30)], { error: "must be 10 or 30 (Route53's request intervals)" }).default(10),
            failureThreshold: z.number().int().min(1).max(10).default(3),
            regions: z
                .array(z.enum(ROUTE53_CHECKER_REGIONS))
                .min(3, "needs at least 3 checker regions so one checker region's outage cannot flip health")
                .default(["us-east-1", "eu-west-1", "ap-southeast-1"]),
        })
        .prefault({}),
    /** Where health alarms are sent, besides the SNS topic. */
    alarmEmail: z.email().optional(),
});

const backupSchema = z
    .strictObject({
        /** `event`: Storage Transfer reacts to S3 events through SQS; `schedule`: it polls on an interval derived from the RPO. */
        transferMode: z.enum(["event", "schedule"]).default("event"),
        retentionDays: z.number().int().min(1).default(30),
        noncurrentVersionDays: z.number().int().min(1).default(30),
        /** Image of the snapshot job: bash, curl and the AWS CLI. */
        jobImage: image.default("amazon/aws-cli:2.27.50"),
    })
    .prefault({});

const replicationSchema = z
    .strictObject({
        /** Follower pods per side; one applies at a time (Kubernetes Lease), the others wait to take over. */
        followerReplicas: z.number().int().min(2, "must be at least 2: one follower is a single point of failure of the standby's freshness").default(2),
        /** Days journal entries are kept beyond the margin the snapshot schedule needs (see derive.ts journalExpiry). */
        journalRetentionDays: z.number().int().min(1).max(365).default(7),
        followerResources: resources.default({ cpu: "250m", memory: "512Mi" }),
    })
    .prefault({});

const routes = z.array(z.string().regex(/^\/[\w\-/.:{}]*$/, "must be a route path such as /v1/ask")).min(1).default(["/v1/ask"]);
const percent = (min: number, max: number) => z.number().min(min).max(max);

/**
 * Service level objectives and the alert thresholds around them. Alert and recording rules,
 * dashboards and the README's alert table are generated from this one spec.
 */
const sloSchema = z
    .strictObject({
        /** Days the objectives are measured over; burn-rate thresholds scale with it. */
        windowDays: z.number().int().min(7).max(90).default(30),
        /** Share of requests on `routes` answered without a 5xx. */
        availability: z
            .strictObject({ objectivePercent: percent(90, 99.999).default(99.99), routes })
            .prefault({}),
        /** Share of requests on `routes` answered within `thresholdSeconds`. */
        latency: z
            .strictObject({
                objectivePercent: percent(50, 99.99).default(99),
                thresholdSeconds: z
                    .number()
                    .refine((v) => (HTTP_LATENCY_BUCKETS_SECONDS as readonly number[]).includes(v), `must be a latency bucket of the service: one of ${HTTP_LATENCY_BUCKETS_SECONDS.join(", ")}`)
                    .default(2),
                routes,
            })
            .prefault({}),
        /** Share of answers given without some component above which a ticket is raised. */
        degradedAnswersMaxPercent: percent(0.1, 100).default(5),
        /** Share of failed calls to one LLM provider above which a ticket is raised. */
        llmErrorMaxPercent: percent(0.1, 100).default(10),
        /** Where alert runbook links point: the README of the deployed revision (anchors are appended). */
        runbookUrl: z.string().min(1).default("README.md"),
    })
    .prefault({});

/** The whole `langchain-ha:*` namespace of a stack file. */
export const stackConfigSchema = z
    .strictObject({
        environment: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, "must be a short lowercase name such as prod"),
        aws: awsSchema,
        gcp: gcpSchema,
        dr: drSchema,
        qdrant: qdrantSchema,
        app: appSchema,
        dns: dnsSchema,
        backup: backupSchema,
        replication: replicationSchema,
        slo: sloSchema,
    })
    .superRefine((c, ctx) => {
        const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: "custom", path, message });
        const awsZones = c.aws.availabilityZones ?? [];
        awsZones.forEach((zone, i) => {
            if (!zone.startsWith(c.aws.region)) issue(["aws", "availabilityZones", i], `${zone} is not a zone of ${c.aws.region}`);
        });
        if (new Set(awsZones).size !== awsZones.length) issue(["aws", "availabilityZones"], "lists a zone twice");
        const gcpZones = c.gcp.zones ?? [];
        gcpZones.forEach((zone, i) => {
            if (!zone.startsWith(`${c.gcp.region}-`)) issue(["gcp", "zones", i], `${zone} is not a zone of ${c.gcp.region}`);
        });
        if (new Set(gcpZones).size !== gcpZones.length) issue(["gcp", "zones"], "lists a zone twice");
        const { min, desired, max } = c.aws.eks.nodesPerZone;
        if (!(min <= desired && desired <= max)) issue(["aws", "eks", "nodesPerZone"], `needs min <= desired <= max, got ${min}/${desired}/${max}`);
        if (c.gcp.gke.nodesPerZone.min > c.gcp.gke.nodesPerZone.max) issue(["gcp", "gke", "nodesPerZone"], "needs min <= max");
        if (c.qdrant.replicationFactor > c.qdrant.replicas) {
            issue(["qdrant", "replicationFactor"], `is ${c.qdrant.replicationFactor} but only ${c.qdrant.replicas} replicas hold shards`);
        }
        if (c.qdrant.writeConsistencyFactor > c.qdrant.replicationFactor - 1) {
            issue(["qdrant", "writeConsistencyFactor"], `must be at most replicationFactor - 1 (${c.qdrant.replicationFactor - 1}) so writes survive one lost node`);
        }
        if (c.app.maxReplicas < c.app.replicas) issue(["app", "maxReplicas"], `must be at least replicas (${c.app.replicas})`);
        // Pilot light runs no app pod on the standby, so standbyReplicas is not used there.
        if (c.dr.mode === "warm" && c.dr.standbyReplicas > c.app.replicas) issue(["dr", "standbyReplicas"], `must be at most app.replicas (${c.app.replicas})`);
        if (c.app.llm.primary !== "none" && c.app.llm.primary === c.app.llm.secondary) {
            issue(["app", "llm", "secondary"], "must be another provider than primary: one provider is a single point of failure");
        }
        const scheduleImpossible = c.backup.transferMode === "schedule" && c.dr.rpoMinutes < MIN_SCHEDULE_RPO_MINUTES;
        if (scheduleImpossible) {
            issue(["dr", "rpoMinutes"], `must be at least ${MIN_SCHEDULE_RPO_MINUTES} with backup.transferMode schedule (Storage Transfer repeats at most every ${MIN_TRANSFER_REPEAT_MINUTES} min); use backup.transferMode event for a shorter RPO`);
        }
        // The journal margin derives from the snapshot schedule, which exists only for a feasible RPO.
        if (!scheduleImpossible) {
            const journal = journalExpiry(backupSchedule(c.dr.rpoMinutes, c.backup.transferMode).snapshotEveryMinutes, c.replication.journalRetentionDays);
            if (c.backup.retentionDays < journal.marginDays) {
                issue(["backup", "retentionDays"], `must be at least ${journal.marginDays}: the newest logical snapshot set, the base the journal replays from, must outlive ${JOURNAL_MARGIN_SNAPSHOTS} snapshot intervals`);
            }
        }
        const recovery = recoveryTimes(c);
        if (recovery.impliedRtoSeconds > c.dr.rtoMinutes * 60) {
            const scaleUp = c.dr.mode === "pilot-light" ? ` + scale-up (${recovery.scaleUpSeconds} s)` : "";
            const scaleUpKeys = c.dr.mode === "pilot-light" ? ", dr.scaleUpMinutes, or use dr.mode warm" : "";
            issue(["dr", "rtoMinutes"], `is ${c.dr.rtoMinutes} (${c.dr.rtoMinutes * 60} s) but detection (${recovery.detectionSeconds} s) + TTL (${recovery.ttlSeconds} s)${scaleUp} = ${recovery.impliedRtoSeconds} s;` +
                ` raise dr.rtoMinutes or lower dns.healthCheck.intervalSeconds, dns.healthCheck.failureThreshold, dns.ttlSeconds${scaleUpKeys}`);
        }
        if (c.qdrant.collection === LOGICAL_SNAPSHOT_ROOT) issue(["qdrant", "collection"], `must not be ${LOGICAL_SNAPSHOT_ROOT}: the backup bucket keeps the logical snapshot sets under that prefix`);
        if (!c.dns.domain.endsWith(`.${c.dns.zoneName}`)) {
            issue(["dns", "domain"], `must be a subdomain of zoneName ${c.dns.zoneName} (failover CNAMEs cannot sit at the zone apex)`);
        }
    });

/** Stack config after validation and defaults; zones are always resolved by `resolveConfig`. */
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
