import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ENV, TUNING_ENV } from "../app/src/contract";
import { AwsNetwork, ClusterAutoscaler, EksCluster } from "./aws";
import { CrossCloudBackup, SNAPSHOT_POD_SELECTOR } from "./backup";
import type { ProgramConfig } from "./config";
import { DnsFailover, ServiceCertificate } from "./dns";
import { GcpNetwork, GkeCluster } from "./gcp";
import { eksKubeconfig, gkeKubeconfig } from "./k8s/kubeconfig";
import { MetricsServer } from "./k8s/metricsServer";
import { denyIngressByDefault } from "./k8s/networkPolicy";
import { QdrantCluster } from "./qdrant";
import { AwsObservability, countRules, GcpObservability, observabilitySpec, ruleGroups } from "./observability";
import { InternalEndpoint, LogicalSnapshotSchedule, REPLICATION_API, ReplicationFollower, StandbyReplication } from "./replication";
import { apiKeysEnv, LangchainService, monitoringPeers, SERVICE_POD_SELECTOR, type ServiceScale } from "./service";
import { embeddingsEnv } from "./service/embeddings";

const NAMESPACE = "langchain-ha";
/** The Lease the followers of one cluster contend for: one applies at a time. */
const LEASE_NAME = "langchain-ha-follower";

type Side = "aws" | "gcp";

/** The same declaration on both clusters, keyed by side. */
function perSide<T>(declare: (side: Side) => T): Record<Side, T> {
    return { aws: declare("aws"), gcp: declare("gcp") };
}

/**
 * The whole deployment: config in, resources out. Returns the stack outputs, which are
 * everything the DR runbook needs.
 */
export function defineStack({ config: c, secrets, gcpTls, today }: ProgramConfig) {
    const env = c.environment;
    const tags = { "langchain-ha:environment": env, "langchain-ha:stack": c.stack };
    const awsProvider = new aws.Provider(`${env}-aws`, { region: c.aws.region, defaultTags: { tags } });
    const gcpProvider = new gcp.Provider(`${env}-gcp`, { project: c.gcp.project, region: c.gcp.region, defaultLabels: { "langchain-ha-environment": env } });

    // --- AWS primary region -------------------------------------------------------------
    const clusterName = `${env}-eks`;
    const awsNetwork = new AwsNetwork(`${env}-aws`, { availabilityZones: c.aws.availabilityZones, vpcCidr: c.aws.vpcCidr, clusterName }, { providers: [awsProvider] });
    const eks = new EksCluster(clusterName, {
        clusterName,
        version: c.aws.eks.version,
        supportType: c.aws.eks.supportType,
        privateSubnetIds: awsNetwork.privateSubnetIds,
        availabilityZones: c.aws.availabilityZones,
        instanceTypes: c.aws.eks.instanceTypes,
        capacityType: c.aws.eks.capacityType,
        diskSizeGb: c.aws.eks.diskSizeGb,
        nodesPerZone: c.aws.eks.nodesPerZone,
        publicAccessCidrs: c.aws.eks.publicAccessCidrs,
        adminPrincipalArns: c.aws.eks.adminPrincipalArns,
    }, { providers: [awsProvider] });

    // --- GCP DR region ------------------------------------------------------------------
    const gcpNetwork = new GcpNetwork(`${env}-gcp`, {
        project: c.gcp.project,
        region: c.gcp.region,
        subnetCidr: c.gcp.subnetCidr,
        podsCidr: c.gcp.podsCidr,
        servicesCidr: c.gcp.servicesCidr,
    }, { providers: [gcpProvider] });
    const gke = new GkeCluster(`${env}-gke`, {
        project: c.gcp.project,
        region: c.gcp.region,
        zones: c.gcp.zones,
        networkId: gcpNetwork.networkId,
        subnetworkId: gcpNetwork.subnetworkId,
        masterCidr: c.gcp.masterCidr,
        releaseChannel: c.gcp.gke.releaseChannel,
        machineType: c.gcp.gke.machineType,
        diskSizeGb: c.gcp.gke.diskSizeGb,
        nodesPerZone: c.gcp.gke.nodesPerZone,
        masterAuthorizedCidrs: c.gcp.gke.masterAuthorizedCidrs,
        deletionProtection: c.gcp.gke.deletionProtection,
    }, { providers: [gcpProvider] });

    // --- Kubernetes on both clusters ----------------------------------------------------
    const kubeconfigs = {
        aws: eksKubeconfig({ clusterName: eks.clusterName, endpoint: eks.endpoint, certificateAuthority: eks.certificateAuthority, region: c.aws.region }),
        gcp: gkeKubeconfig({ clusterName: gke.clusterName, endpoint: gke.endpoint, certificateAuthority: gke.certificateAuthority }),
    };
    const k8sProviders = {
        aws: new k8s.Provider(`${env}-eks-k8s`, { kubeconfig: kubeconfigs.aws, enableServerSideApply: true }),
        gcp: new k8s.Provider(`${env}-gke-k8s`, { kubeconfig: kubeconfigs.gcp, enableServerSideApply: true }),
    };
    // --- Autoscaling on EKS (GKE runs its own metrics server and node autoscaler) ------
    new MetricsServer(`${env}-eks-metrics-server`, {}, { providers: [k8sProviders.aws] });
    new ClusterAutoscaler(`${env}-eks-autoscaler`, {
        clusterName: eks.clusterName,
        kubernetesVersion: c.aws.eks.version,
        region: c.aws.region,
        oidcProviderArn: eks.oidcProviderArn,
        oidcIssuerHost: eks.oidcIssuerHost,
        image: c.aws.eks.clusterAutoscalerImage,
        awsProvider,
        k8sProvider: k8sProviders.aws,
    });

    // EKS has no zone-aware gp3 class by default; volumes must bind in their pod's zone.
    new k8s.storage.v1.StorageClass(`${env}-eks-${c.qdrant.storageClass.aws}`, {
        metadata: { name: c.qdrant.storageClass.aws },
        provisioner: "ebs.csi.aws.com",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        reclaimPolicy: "Retain",
        parameters: { type: "gp3", encrypted: "true" },
    }, { provider: k8sProviders.aws });

    const namespaces = perSide((side) => new k8s.core.v1.Namespace(`${env}-${side}-ns`, {
        metadata: { name: NAMESPACE, labels: { "app.kubernetes.io/part-of": "langchain-ha" } },
    }, { provider: k8sProviders[side] }).metadata.name);

    perSide((side) => denyIngressByDefault(`${env}-${side}-deny-ingress`, namespaces[side], { provider: k8sProviders[side] }));

    // Required (readProgramConfig stops without it): Qdrant serves anyone who reaches it otherwise.
    const qdrantApiKey = secrets.qdrantApiKey!;
    const qdrantApiKeySecrets = perSide((side) =>
        new k8s.core.v1.Secret(`${env}-${side}-qdrant-api-key`, {
            metadata: { name: "qdrant-api-key", namespace: namespaces[side] },
            stringData: { "api-key": qdrantApiKey },
        }, { provider: k8sProviders[side] }).metadata.name);

    const qdrant = perSide((side) => new QdrantCluster(`${env}-${side}-qdrant`, {
        namespace: namespaces[side],
        image: c.qdrant.image,
        replicas: c.qdrant.replicas,
        replicationFactor: c.qdrant.replicationFactor,
        writeConsistencyFactor: c.qdrant.writeConsistencyFactor,
        storageGi: c.qdrant.storageGi,
        storageClass: c.qdrant.storageClass[side],
        resources: c.qdrant.resources,
        apiKeySecretName: qdrantApiKeySecrets[side],
        clients: [SERVICE_POD_SELECTOR, SNAPSHOT_POD_SELECTOR],
    }, { providers: [k8sProviders[side]] }));

    // --- Cross-cloud backups ------------------------------------------------------------
    const backup = new CrossCloudBackup(`${env}-backup`, {
        stack: c.stack,
        activeSide: c.dr.activeSide,
        collection: c.qdrant.collection,
        qdrantPeers: c.qdrant.replicas,
        qdrantApiKeySecretName: qdrantApiKeySecrets[c.dr.activeSide],
        snapshotCron: c.backupSchedule.snapshotCron,
        transferMode: c.backup.transferMode,
        transferRepeatInterval: c.backupSchedule.transferRepeatInterval,
        transferStartDate: today,
        retentionDays: c.backup.retentionDays,
        noncurrentVersionDays: c.backup.noncurrentVersionDays,
        jobImage: c.backup.jobImage,
        gcpProject: c.gcp.project,
        gcpRegion: c.gcp.region,
        eksOidcProviderArn: eks.oidcProviderArn,
        eksOidcIssuerHost: eks.oidcIssuerHost,
        gkeWorkloadPool: gke.workloadPool,
        aws: { provider: k8sProviders.aws, namespace: namespaces.aws, qdrantHeadlessHost: qdrant.aws.headlessHost },
        gcp: { provider: k8sProviders.gcp, namespace: namespaces.gcp, qdrantHeadlessHost: qdrant.gcp.headlessHost },
        awsProvider,
        gcpProvider,
    });

    // --- Standby replication: journal buckets, identities, the replication environment --
    const replication = new StandbyReplication(`${env}-replication`, {
        stack: c.stack,
        activeSide: c.dr.activeSide,
        rpoMinutes: c.dr.rpoMinutes,
        gcpProject: c.gcp.project,
        gcpRegion: c.gcp.region,
        awsRegion: c.aws.region,
        journalExpiryDays: c.journal.expiryDays,
        noncurrentVersionDays: c.backup.noncurrentVersionDays,
        backup: { arn: backup.s3BucketArn, kmsKeyArn: backup.s3KmsKeyArn, s3BucketName: backup.s3BucketName, gcsBucketName: backup.gcsBucketName },
        namespaces,
        k8sProviders,
        eksOidcProviderArn: eks.oidcProviderArn,
        eksOidcIssuerHost: eks.oidcIssuerHost,
        gkeWorkloadPool: gke.workloadPool,
        gkeIssuerUrl: pulumi.interpolate`https://container.googleapis.com/v1/projects/${c.gcp.project}/locations/${c.gcp.region}/clusters/${gke.clusterName}`,
        awsProvider,
        gcpProvider,
    });

    // --- The service on both clusters ---------------------------------------------------
    const certificate = new ServiceCertificate(`${env}-cert`, { domain: c.dns.domain, hostedZoneId: c.dns.hostedZoneId }, { providers: [awsProvider] });
    const scaleOf = (side: Side): ServiceScale => {
        if (side === c.dr.activeSide) return { kind: "serving", replicas: c.app.replicas, maxReplicas: c.app.maxReplicas, targetCpuPercent: c.app.targetCpuPercent };
        if (c.dr.mode === "pilot-light") return { kind: "standby", failoverReplicas: c.app.replicas };
        return { kind: "serving", replicas: c.dr.standbyReplicas, maxReplicas: c.app.maxReplicas, targetCpuPercent: c.app.targetCpuPercent };
    };
    const serviceEnv = (side: Side) => ({
        [ENV.region]: side === "aws" ? c.aws.region : c.gcp.region,
        [ENV.qdrantUrl]: qdrant[side].url,
        [ENV.qdrantCollection]: c.qdrant.collection,
        [ENV.qdrantReplicationFactor]: String(c.qdrant.replicationFactor),
        [ENV.qdrantWriteConsistencyFactor]: String(c.qdrant.writeConsistencyFactor),
        [ENV.qdrantShardNumber]: String(c.qdrant.shardNumber ?? c.qdrant.replicas),
        [ENV.llmPrimary]: c.app.llm.primary,
        [ENV.llmSecondary]: c.app.llm.secondary,
        [TUNING_ENV.openaiModel]: c.app.llm.models.openai,
        [TUNING_ENV.anthropicModel]: c.app.llm.models.anthropic,
        [TUNING_ENV.googleModel]: c.app.llm.models.google,
        ...embeddingsEnv(c.app.embeddings),
    });
    const services = perSide((side) => new LangchainService(`${env}-${side}-app`, {
        namespace: namespaces[side],
        image: c.app.image,
        scale: scaleOf(side),
        cloud: side,
        env: { ...serviceEnv(side), ...replication.env(side, false) },
        identity: replication.pods[side],
        monitoringPeers: monitoringPeers(side, c.aws.vpcCidr),
        secretEnv: {
            [ENV.openaiApiKey]: secrets.openaiApiKey,
            [ENV.anthropicApiKey]: secrets.anthropicApiKey,
            [ENV.googleApiKey]: secrets.googleApiKey,
            [ENV.qdrantApiKey]: secrets.qdrantApiKey,
            [ENV.adminToken]: secrets.adminToken,
            // Hashes of the read and write keys (never the keys): the service refuses to listen beyond loopback without them.
            [ENV.apiKeys]: apiKeysEnv({ read: secrets.apiKeysRead, write: secrets.apiKeysWrite }),
        },
        resources: c.app.resources,
        certificateArn: side === "aws" ? certificate.certificateArn : undefined,
        tls: side === "gcp" ? gcpTls : undefined,
    }, { providers: [k8sProviders[side]] }));

    // The followers run on both sides whatever the serving scale: a pilot-light standby stays current.
    const followers = perSide((side) => new ReplicationFollower(`${env}-${side}-follower`, {
        namespace: namespaces[side],
        image: c.app.image,
        replicas: c.replication.followerReplicas,
        resources: c.replication.followerResources,
        env: { ...serviceEnv(side), ...replication.env(side, true) },
        secretName: services[side].secretName,
        identity: replication.pods[side],
        leaseName: LEASE_NAME,
    }, { providers: [k8sProviders[side]] }));
    const internal = perSide((side) => new InternalEndpoint(`${env}-${side}-internal`, {
        namespace: namespaces[side],
        appSelector: services[side].podSelector,
    }, { providers: [k8sProviders[side]] }));
    const snapshotSets = new LogicalSnapshotSchedule(`${env}-${c.dr.activeSide}-snapshot-sets`, {
        namespace: namespaces[c.dr.activeSide],
        schedule: c.backupSchedule.snapshotCron,
        serviceName: internal[c.dr.activeSide].serviceName,
        secretName: services[c.dr.activeSide].secretName,
        image: c.backup.jobImage,
    }, { providers: [k8sProviders[c.dr.activeSide]] });

    // --- DNS failover -------------------------------------------------------------------
    const dns = new DnsFailover(`${env}-dns`, {
        hostedZoneId: c.dns.hostedZoneId,
        domain: c.dns.domain,
        activeSide: c.dr.activeSide,
        aws: { kind: "hostname", value: services.aws.endpoint },
        gcp: { kind: "ip", value: services.gcp.endpoint },
        ttlSeconds: c.dns.ttlSeconds,
        intervalSeconds: c.dns.healthCheck.intervalSeconds,
        failureThreshold: c.dns.healthCheck.failureThreshold,
        checkerRegions: c.dns.healthCheck.regions,
        alarmEmail: c.dns.alarmEmail,
        // Pilot light fails over only through the runbook: the empty standby's failing check pages nobody.
        quietSide: c.dr.mode === "pilot-light" ? (c.dr.activeSide === "aws" ? "gcp" : "aws") : undefined,
    }, { providers: [awsProvider] });

    // --- Observability: scraping, SLO and cause alerts, dashboards on both sides ----------
    const obsSpec = observabilitySpec(c);
    const roleOf = (side: Side) => (side === c.dr.activeSide ? "active" : "standby");
    const observability = {
        aws: new AwsObservability(`${env}-aws-obs`, {
            spec: obsSpec,
            role: roleOf("aws"),
            clusterName: eks.clusterName,
            clusterArn: eks.clusterArn,
            subnetIds: awsNetwork.privateSubnetIds,
            securityGroupIds: [eks.clusterSecurityGroupId],
            namespace: namespaces.aws,
            alarmTopicArn: dns.alarmTopicArn,
            qdrantApiKey: secrets.qdrantApiKey,
            k8sProvider: k8sProviders.aws,
        }, { providers: [awsProvider] }),
        gcp: new GcpObservability(`${env}-gcp-obs`, {
            spec: obsSpec,
            role: roleOf("gcp"),
            project: c.gcp.project,
            clusterName: gke.clusterName,
            namespace: namespaces.gcp,
            qdrantApiKeySecretName: qdrantApiKeySecrets.gcp,
            alarmEmail: c.dns.alarmEmail,
            k8sProvider: k8sProviders.gcp,
        }, { providers: [gcpProvider] }),
    };

    return {
        environment: env,
        primaryCloud: c.dr.activeSide,
        activeSide: c.dr.activeSide,
        drMode: c.dr.mode,
        domain: c.dns.domain,
        hostedZoneId: c.dns.hostedZoneId,
        regionalNames: dns.regionalNames,
        endpoints: { aws: services.aws.endpoint, gcp: services.gcp.endpoint },
        healthCheckIds: dns.healthCheckIds,
        alarmTopicArn: dns.alarmTopicArn,
        aws: { region: c.aws.region, availabilityZones: c.aws.availabilityZones, clusterName: eks.clusterName, vpcId: awsNetwork.vpcId },
        gcp: { project: c.gcp.project, region: c.gcp.region, zones: c.gcp.zones, clusterName: gke.clusterName },
        kubeconfigs,
        namespace: NAMESPACE,
        appDeployment: services[c.dr.activeSide].deploymentName,
        appReplicas: { active: c.app.replicas, standby: c.dr.mode === "pilot-light" ? 0 : c.dr.standbyReplicas },
        qdrant: { collection: c.qdrant.collection, replicas: c.qdrant.replicas, statefulSet: qdrant.aws.statefulSetName, urls: { aws: qdrant.aws.url, gcp: qdrant.gcp.url } },
        backup: {
            s3Bucket: backup.s3BucketName,
            gcsBucket: backup.gcsBucketName,
            transferJob: backup.transferJobName,
            transferMode: c.backup.transferMode,
            snapshotCronJob: backup.snapshotCronJobName,
            snapshotCron: c.backupSchedule.snapshotCron,
        },
        observability: {
            rules: perSide((side) => countRules(ruleGroups(obsSpec, {}, roleOf(side)))),
            aws: { workspaceId: observability.aws.workspaceId, prometheusEndpoint: observability.aws.prometheusEndpoint, grafanaDashboard: observability.aws.grafanaDashboard },
            gcp: { dashboardId: observability.gcp.dashboardId },
        },
        replication: {
            journals: perSide((side) => replication.locations[side].journal),
            peerJournals: perSide((side) => replication.locations[side].peerJournals),
            snapshotSets: perSide((side) => replication.locations[side].snapshots),
            journalBuckets: { s3: replication.journal.s3BucketName, gcs: replication.journal.gcsBucketName },
            journalTransferJob: replication.journal.transferJobName,
            journalExpiryDays: c.journal.expiryDays,
            followers: perSide((side) => followers[side].deploymentName),
            followerReplicas: c.replication.followerReplicas,
            leaseName: LEASE_NAME,
            snapshotSetsCronJob: snapshotSets.cronJobName,
            snapshotSetsCron: c.backupSchedule.snapshotCron,
            maxLagSeconds: c.dr.rpoMinutes * 60,
            // The admin routes answer on the serving pods' plain port, through this ClusterIP Service on each cluster.
            internalServices: perSide((side) => internal[side].serviceName),
            api: REPLICATION_API,
            // Where the runbook finds the token (never the value): the Secret on each cluster, set from this stack secret.
            adminToken: { secretName: services[c.dr.activeSide].secretName, key: ENV.adminToken, configKey: "langchain-ha:adminToken" },
        },
        rtoTargetSeconds: c.dr.rtoMinutes * 60,
        impliedRtoSeconds: c.recovery.impliedRtoSeconds,
        // The pilot-light scale-up the policy pack adds to the health checks' failover time.
        rtoScaleUpSeconds: c.recovery.scaleUpSeconds,
        rpoTargetMinutes: c.dr.rpoMinutes,
        worstCaseRpoMinutes: c.backupSchedule.worstCaseRpoMinutes,
    };
}
