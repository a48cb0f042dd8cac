import type { PlanResult } from "./run";
import type { RegisteredResource } from "./mocks";
import { planDecisions, renderDecisions } from "./decisions";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- resource inputs are untyped provider payloads

/** Which cluster a Kubernetes resource lands on, from its provider's logical name. */
function clusterOf(r: RegisteredResource): "eks" | "gke" | "?" {
    const provider = r.provider ?? "";
    if (/::[^:]*eks-k8s/.test(provider)) return "eks";
    if (/::[^:]*gke-k8s/.test(provider)) return "gke";
    return "?";
}

function count<T>(items: T[], key: (t: T) => string): Map<string, number> {
    const m = new Map<string, number>();
    for (const item of items) m.set(key(item), (m.get(key(item)) ?? 0) + 1);
    return m;
}

function minutes(seconds: number): string {
    return seconds >= 120 ? `${(seconds / 60).toFixed(1)} min` : `${seconds} s`;
}

function apiAccess(cidrs: string[]): string {
    return cidrs.length === 0 ? "private endpoint only" : `private + public for ${cidrs.join(", ")}`;
}

function formatDate(d: { year: number; month: number; day: number } | undefined): string {
    return d ? `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}` : "?";
}

/** A readable account of what the plan declares: clouds, regions, zones, replicas, RTO/RPO. */
export function renderSummary(plan: PlanResult): string {
    const rs = plan.resources;
    const o = plan.outputs as Inputs;
    const of = (type: string) => rs.filter((r) => r.type === type);
    const lines: string[] = [];
    const custom = rs.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const byPackage = count(custom, (r) => (r.type.startsWith("kubernetes:") ? `kubernetes (${clusterOf(r)})` : r.type.split(":")[0]!));

    lines.push(`Stack ${plan.stack}: ${rs.length} resources (${custom.length} cloud and Kubernetes objects, ${rs.length - custom.length} components and providers)`);
    lines.push(`  by cloud: ${[...byPackage].map(([k, v]) => `${k} ${v}`).join(", ")}`);
    lines.push("");
    lines.push(`AWS primary region ${o.aws.region} (active side: ${o.activeSide})`);
    const subnets = of("aws:ec2/subnet:Subnet");
    for (const az of o.aws.availabilityZones as string[]) {
        const here = subnets.filter((s) => s.inputs.availabilityZone === az);
        const nat = of("aws:ec2/natGateway:NatGateway").filter((n) => n.name.endsWith(az)).length;
        const group = of("aws:eks/nodeGroup:NodeGroup").find((g) => g.name.endsWith(az));
        const scaling = (group?.inputs as Inputs | undefined)?.scalingConfig;
        lines.push(`  ${az}: ${here.length} subnets, ${nat} NAT gateway, node group min/desired/max ${scaling ? `${scaling.minSize}/${scaling.desiredSize}/${scaling.maxSize}` : "none"}`);
    }
    const eks = of("aws:eks/cluster:Cluster")[0]?.inputs as Inputs | undefined;
    lines.push(`  EKS ${o.aws.clusterName} ${eks?.version ?? "?"} (${eks?.upgradePolicy?.supportType ?? "?"} support)`);
    // Admins are the entries bound to the cluster-admin policy; others (the metrics scraper) read only.
    const adminEntries = of("aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter((a) => String((a.inputs as Inputs).policyArn).endsWith("/AmazonEKSClusterAdminPolicy")).length;
    const otherEntries = of("aws:eks/accessEntry:AccessEntry").length - adminEntries;
    lines.push(`    API: ${apiAccess(eks?.vpcConfig?.endpointPublicAccess === false ? [] : eks?.vpcConfig?.publicAccessCidrs ?? ["0.0.0.0/0"])}; ${adminEntries} admin access entries${otherEntries > 0 ? `, ${otherEntries} other (read-only scraper)` : ""}`);
    const addons = of("aws:eks/addon:Addon").map((a) => a.inputs as Inputs);
    lines.push(`    add-ons: ${addons.map((a) => `${a.addonName}${a.serviceAccountRoleArn ? " (IRSA)" : ""}${a.configurationValues?.includes("enableNetworkPolicy") ? " (network policy)" : ""}`).join(", ")}`);
    lines.push("");
    const pool = of("gcp:container/nodePool:NodePool")[0]?.inputs as Inputs | undefined;
    lines.push(`GCP DR region ${o.gcp.region} (mode: ${o.drMode})`);
    lines.push(`  GKE ${o.gcp.clusterName}: regional, node pool over ${(pool?.nodeLocations ?? []).join(", ")}, ${pool?.autoscaling?.minNodeCount}-${pool?.autoscaling?.maxNodeCount} nodes per zone (starts with ${pool?.initialNodeCount ?? 0})`);
    const gke = of("gcp:container/cluster:Cluster")[0]?.inputs as Inputs | undefined;
    const gkeCidrs = ((gke?.masterAuthorizedNetworksConfig?.cidrBlocks ?? []) as Inputs[]).map((b) => b.cidrBlock as string);
    lines.push(`    API: ${apiAccess(gke?.privateClusterConfig?.enablePrivateEndpoint ? [] : gkeCidrs)}; ${gke?.datapathProvider === "ADVANCED_DATAPATH" ? "Dataplane V2 (network policy)" : "no network policy enforcement"}; secrets ${gke?.databaseEncryption?.state === "ENCRYPTED" ? "KMS-encrypted" : "not encrypted"}`);
    lines.push("");
    const policies = of("kubernetes:networking.k8s.io/v1:NetworkPolicy");
    lines.push(`Network policies: ${(["eks", "gke"] as const).map((c) => `${c} ${policies.filter((p) => clusterOf(p) === c).map((p) => (p.inputs as Inputs).metadata.name).join(", ")}`).join("; ")}`);
    lines.push("");
    lines.push("Workloads");
    for (const r of [...of("kubernetes:apps/v1:StatefulSet"), ...of("kubernetes:apps/v1:Deployment")]) {
        const inputs = r.inputs as Inputs;
        const name = inputs.metadata?.name;
        const hpa = of("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").find((h) => clusterOf(h) === clusterOf(r) && (h.inputs as Inputs).spec?.scaleTargetRef?.name === name);
        const pdb = of("kubernetes:policy/v1:PodDisruptionBudget").some((p) => clusterOf(p) === clusterOf(r) && (p.inputs as Inputs).metadata?.name === name);
        const standby = inputs.metadata?.annotations?.["langchain-ha.io/failover-replicas"];
        const scale = standby !== undefined ? `0 replicas (pilot light; failover scales to ${standby})`
            : hpa ? `${(hpa.inputs as Inputs).spec.minReplicas}-${(hpa.inputs as Inputs).spec.maxReplicas} replicas (HPA)` : `${inputs.spec?.replicas} replicas`;
        lines.push(`  ${clusterOf(r)}  ${r.type.split(":")[2]} ${name}: ${scale}${pdb ? ", PDB" : ""}`);
    }
    lines.push("");
    const checks = of("aws:route53/healthCheck:HealthCheck").map((h) => h.inputs as Inputs);
    // PRIMARY first, whatever order the records' inputs resolved in.
    const failover = of("aws:route53/record:Record").filter((r) => (r.inputs as Inputs).failoverRoutingPolicies)
        .sort((a, b) => String((a.inputs as Inputs).failoverRoutingPolicies[0].type).localeCompare(String((b.inputs as Inputs).failoverRoutingPolicies[0].type)));
    lines.push(`DNS ${o.domain}: ${failover.map((r) => `${(r.inputs as Inputs).failoverRoutingPolicies[0].type} -> ${(r.inputs as Inputs).records[0]}`).join(", ")}`);
    if (checks[0]) lines.push(`  ${checks.length} HTTPS health checks on ${checks[0].resourcePath}, every ${checks[0].requestInterval} s, ${checks[0].failureThreshold} failures, from ${checks[0].regions.length} regions`);
    lines.push("");
    // The journal's transfer is event-driven; the backups' is the one that may run on a schedule.
    const transfer = of("gcp:storage/transferJob:TransferJob").map((t) => t.inputs as Inputs).find((t) => t.schedule);
    const schedule = transfer?.schedule ? ` every ${transfer.schedule.repeatInterval} from ${formatDate(transfer.schedule.scheduleStartDate)}` : "";
    lines.push(`Backups: snapshots ${o.backup.snapshotCron} to S3, ${o.backup.transferMode}-driven Storage Transfer to GCS${schedule}`);
    const topicKey = (of("aws:sns/topic:Topic")[0]?.inputs as Inputs | undefined)?.kmsMasterKeyId;
    lines.push(`Alarms: SNS topic under ${topicKey === "alias/aws/sns" ? "the AWS-managed key (CloudWatch cannot publish)" : "its own KMS key"}`);
    lines.push("");
    if (o.replication) {
        const r = o.replication as Inputs;
        lines.push(`Replication: ${o.activeSide} writes the journal, the other side's followers apply it (lease ${r.leaseName}, ${r.followerReplicas} followers per side)`);
        for (const side of ["aws", "gcp"]) {
            lines.push(`  ${side}: journal ${r.journals[side]}; reads ${(r.peerJournals[side] as string[]).join(", ")}`);
        }
        lines.push(`  journal entries expire after ${r.journalExpiryDays} days; snapshot sets ${r.snapshotSetsCron} on ${o.activeSide}; standby unfit for failover past ${r.maxLagSeconds} s of lag`);
        lines.push("");
    }
    lines.push(...renderDecisions(planDecisions(plan)));
    lines.push("");
    lines.push(`RTO target ${minutes(o.rtoTargetSeconds)}; the settings imply ${minutes(o.impliedRtoSeconds)} (health-check detection + TTL${o.drMode === "pilot-light" ? " + scale-up" : ""})`);
    lines.push(`RPO target ${o.rpoTargetMinutes} min; worst case ${o.worstCaseRpoMinutes} min (snapshot interval + transfer delay)`);
    if (o.drMode === "pilot-light") lines.push("Pilot light fails over only through the runbook (npm run dr -- failover --to <standby>): DNS alone would move traffic to a side with no app pod.");
    if (plan.placeholderSecrets.length > 0) {
        lines.push("");
        lines.push(`Placeholders used for secrets the stack file does not set: ${plan.placeholderSecrets.join(", ")}`);
    }
    if (plan.warnings.length > 0) {
        lines.push("");
        lines.push(`Warnings (${plan.warnings.length}): review before pulumi up`);
        for (const w of plan.warnings) lines.push(`  ${w.key} ${w.message}`);
    }
    return lines.join("\n");
}

/** The summary as one JSON document (`--format json`): counts, decisions, recovery, warnings. */
export function renderPlanJson(plan: PlanResult): string {
    const o = plan.outputs as Inputs;
    const custom = plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"));
    const byCloud = Object.fromEntries(count(custom, (r) => (r.type.startsWith("kubernetes:") ? `kubernetes-${clusterOf(r)}` : r.type.split(":")[0]!)));
    return JSON.stringify({
        stack: plan.stack,
        resources: { total: plan.resources.length, cloudObjects: custom.length, byCloud },
        regions: { aws: o.aws.region, awsZones: o.aws.availabilityZones, gcp: o.gcp.region, gcpZones: o.gcp.zones },
        domain: o.domain,
        decisions: planDecisions(plan),
        recovery: { rtoTargetSeconds: o.rtoTargetSeconds, impliedRtoSeconds: o.impliedRtoSeconds, rpoTargetMinutes: o.rpoTargetMinutes, worstCaseRpoMinutes: o.worstCaseRpoMinutes },
        placeholderSecrets: plan.placeholderSecrets,
        warnings: plan.warnings,
    }, null, 2);
}
