import type { PlanResult } from "./run";

/**
 * Every decision of a stack that changes what it costs, who can reach it or how it survives a
 * failure, in one structure: the text summary prints it, `--format json` emits it, so that a
 * change to any of them shows up in a reviewed diff of either.
 */
export interface PlanDecisions {
    dr: {
        mode: "warm" | "pilot-light";
        activeSide: "aws" | "gcp";
        /** How a failover happens: automatically by DNS, or only through the runbook. */
        failover: string;
    };
    replicas: {
        app: { aws: string; gcp: string };
        qdrant: { perSide: number; replicationFactor: number; writeConsistencyFactor: number };
        followersPerSide: number;
    };
    images: { app: string; appDefaulted: boolean; qdrant: string; backupJob: string; clusterAutoscaler: string };
    compute: {
        eks: { instanceTypes: string[]; capacityType: string; diskSizeGb: number; nodesPerZone: string; zones: number };
        gke: { machineType: string; diskSizeGb: number; nodesPerZone: string; zones: number; deletionProtection: boolean };
    };
    storage: { qdrantGiPerPeer: number; storageClass: { aws: string; gcp: string }; qdrantGiTotal: number; backupRetentionDays: number; volumesRetainedOnDelete: true };
    exposure: { api: string; eksApi: string; gkeApi: string };
    llm: { primary: string; secondary: string; models: Record<string, string> };
    alarms: { email: string | null; pilotLightStandbyAlarm: string };
}

function sideReplicas(plan: PlanResult, side: "aws" | "gcp"): string {
    const c = plan.config;
    const active = `${c.app.replicas}-${c.app.maxReplicas} (HPA)`;
    if (side === c.dr.activeSide) return active;
    return c.dr.mode === "pilot-light" ? `0 (pilot light; failover scales to ${c.app.replicas})` : `${c.dr.standbyReplicas} (warm standby)`;
}

function apiAccess(cidrs: string[]): string {
    return cidrs.length === 0 ? "private endpoint only" : `private + public for ${cidrs.join(", ")}`;
}

export function planDecisions(plan: PlanResult): PlanDecisions {
    const c = plan.config;
    const llmProviders = [c.app.llm.primary, c.app.llm.secondary].filter((p) => p !== "none");
    const models = Object.fromEntries(llmProviders.map((p) => [p, c.app.llm.models[p as keyof typeof c.app.llm.models]]));
    const pilot = c.dr.mode === "pilot-light";
    return {
        dr: {
            mode: c.dr.mode,
            activeSide: c.dr.activeSide,
            failover: pilot
                ? "only through the runbook (npm run dr -- failover): the standby runs no app pod, so its health check fails and DNS cannot fail over to it by itself"
                : "automatic by DNS (Route53 health checks), or through the runbook",
        },
        replicas: {
            app: { aws: sideReplicas(plan, "aws"), gcp: sideReplicas(plan, "gcp") },
            qdrant: { perSide: c.qdrant.replicas, replicationFactor: c.qdrant.replicationFactor, writeConsistencyFactor: c.qdrant.writeConsistencyFactor },
            followersPerSide: c.replication.followerReplicas,
        },
        images: {
            app: c.app.image,
            appDefaulted: plan.warnings.some((w) => w.key === "langchain-ha:app.image" && w.message.startsWith("is not set")),
            qdrant: c.qdrant.image,
            backupJob: c.backup.jobImage,
            clusterAutoscaler: c.aws.eks.clusterAutoscalerImage ?? `registry.k8s.io/autoscaling/cluster-autoscaler:v${c.aws.eks.version}.0`,
        },
        compute: {
            eks: {
                instanceTypes: c.aws.eks.instanceTypes,
                capacityType: c.aws.eks.capacityType,
                diskSizeGb: c.aws.eks.diskSizeGb,
                nodesPerZone: `${c.aws.eks.nodesPerZone.min}/${c.aws.eks.nodesPerZone.desired}/${c.aws.eks.nodesPerZone.max}`,
                zones: c.aws.availabilityZones.length,
            },
            gke: {
                machineType: c.gcp.gke.machineType,
                diskSizeGb: c.gcp.gke.diskSizeGb,
                nodesPerZone: `${c.gcp.gke.nodesPerZone.min}-${c.gcp.gke.nodesPerZone.max}`,
                zones: c.gcp.zones.length,
                deletionProtection: c.gcp.gke.deletionProtection,
            },
        },
        storage: {
            qdrantGiPerPeer: c.qdrant.storageGi,
            storageClass: c.qdrant.storageClass,
            qdrantGiTotal: c.qdrant.storageGi * c.qdrant.replicas * 2,
            backupRetentionDays: c.backup.retentionDays,
            volumesRetainedOnDelete: true,
        },
        exposure: {
            api: `public HTTPS on ${c.dns.domain} (AWS: internet-facing NLB ending TLS; GCP: external L4 load balancer, TLS in the pods)`,
            eksApi: apiAccess(c.aws.eks.publicAccessCidrs),
            gkeApi: apiAccess(c.gcp.gke.masterAuthorizedCidrs),
        },
        llm: { primary: c.app.llm.primary, secondary: c.app.llm.secondary, models },
        alarms: {
            email: c.dns.alarmEmail ?? null,
            pilotLightStandbyAlarm: pilot ? "none on the standby's health check (it has no pods on purpose); its health check stays for the runbook's verify step" : "both sides' health checks alarm",
        },
    };
}

/** The decisions as summary lines. */
export function renderDecisions(d: PlanDecisions): string[] {
    const e = d.compute.eks;
    const g = d.compute.gke;
    return [
        "Decisions (cost, exposure, availability)",
        `  DR: ${d.dr.mode}, ${d.dr.activeSide} active; failover ${d.dr.failover}`,
        `  app replicas: aws ${d.replicas.app.aws}; gcp ${d.replicas.app.gcp}`,
        `  Qdrant: ${d.replicas.qdrant.perSide} peers per side, replication factor ${d.replicas.qdrant.replicationFactor}, write consistency ${d.replicas.qdrant.writeConsistencyFactor}; ${d.replicas.followersPerSide} replication followers per side`,
        `  images: app ${d.images.app}${d.images.appDefaulted ? " (default, not chosen)" : ""}; qdrant ${d.images.qdrant}; backup job ${d.images.backupJob}; cluster autoscaler ${d.images.clusterAutoscaler}`,
        `  EKS nodes: ${e.instanceTypes.join(", ")} ${e.capacityType}, ${e.diskSizeGb} GB disk, ${e.nodesPerZone} min/desired/max in each of ${e.zones} zones`,
        `  GKE nodes: ${g.machineType}, ${g.diskSizeGb} GB disk, ${g.nodesPerZone} per zone in ${g.zones} zones; deletion protection ${g.deletionProtection ? "on" : "off"}`,
        `  storage: Qdrant ${d.storage.qdrantGiPerPeer} GiB per peer (${d.storage.storageClass.aws} on AWS, ${d.storage.storageClass.gcp} on GCP; ${d.storage.qdrantGiTotal} GiB in all, volumes retained on delete); backups kept ${d.storage.backupRetentionDays} days`,
        `  exposure: service ${d.exposure.api}; EKS API ${d.exposure.eksApi}; GKE API ${d.exposure.gkeApi}`,
        `  LLM providers: ${d.llm.primary} then ${d.llm.secondary}${Object.keys(d.llm.models).length > 0 ? ` (${Object.entries(d.llm.models).map(([p, m]) => `${p} ${m}`).join(", ")})` : ""}`,
        `  alarm email: ${d.alarms.email ?? "none (the alarm topic has no subscriber)"}; ${d.alarms.pilotLightStandbyAlarm}`,
    ];
}
