import { planStack, type ExportedResource, type StackExport } from "../../infra/plan";
import { urnName } from "../../policies/lib/settings";
import { CLUSTER_ENV } from "../../policies/rules/kubernetes/qdrant/statefulset-enable-cluster-mode";
import { REPLICATION_ENV } from "../../policies/rules/kubernetes/qdrant/statefulset-configure-replication-factor";
import { STACK_TYPE } from "../../policies/lib/stack";
import { asArray, asRecord, get } from "../../policies/lib/values";
import { setPath } from "./cases";

const plans = new Map<string, Promise<StackExport>>();
let queue: Promise<unknown> = Promise.resolve();

/**
 * The export `npm run plan -- --stack <stack> --export <file>` writes, planned once per process. Plans run
 * one at a time: the Pulumi runtime they use is process-global.
 */
export function plannedExport(stack: string): Promise<StackExport> {
    let plan = plans.get(stack);
    if (!plan) {
        plan = queue.then(async () => (await planStack(stack)).export);
        queue = plan.catch(() => undefined);
        plans.set(stack, plan);
    }
    return plan;
}

const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";

/**
 * Edits of a copy of a stack export. A resource is addressed by its logical name, or by
 * `<type>::<name>` where resources of several types share the name.
 */
export class StackEdit {
    constructor(readonly resources: ExportedResource[]) {}

    get(ref: string): ExportedResource {
        const at = ref.lastIndexOf("::");
        const type = at < 0 ? undefined : ref.slice(0, at);
        const name = at < 0 ? ref : ref.slice(at + 2);
        const found = this.resources.filter((r) => urnName(r.urn) === name && (type === undefined || r.type === type));
        if (found.length !== 1) throw new Error(`the planned stack has ${found.length} resources ${ref}, not one`);
        return found[0] as ExportedResource;
    }

    /** Runs `edit` on the resource's inputs and on its outputs. */
    edit(ref: string, edit: (props: Record<string, unknown>) => void): void {
        const r = this.get(ref);
        edit(r.inputs);
        edit(r.outputs);
    }

    set(ref: string, dotted: string, value: unknown): void {
        this.edit(ref, (props) => setPath(props, dotted, value));
    }

    remove(ref: string, dotted: string): void {
        this.edit(ref, (props) => setPath(props, dotted, undefined, true));
    }

    /** Sets the plain env var `env` of the first container of a workload. */
    setEnv(ref: string, env: string, value: string): void {
        this.edit(ref, (props) => {
            const entry = asArray(get(props, "spec.template.spec.containers.0.env")).map(asRecord).find((e) => e["name"] === env);
            if (!entry) throw new Error(`${ref} sets no env ${env}`);
            entry["value"] = value;
        });
    }

    drop(...refs: string[]): void {
        for (const ref of refs) this.resources.splice(this.resources.indexOf(this.get(ref)), 1);
    }

    /** Adds a top-level custom resource of the stack, managed by the provider `provider`. */
    addCustom(type: string, name: string, props: Record<string, unknown>, provider: string): void {
        const stack = this.resources.find((r) => r.type === STACK_TYPE);
        const p = this.get(provider);
        const id = `${name}-id`;
        this.resources.push({
            urn: `${(stack?.urn ?? "").split("::").slice(0, 2).join("::")}::${type}::${name}`,
            id,
            type,
            custom: true,
            inputs: { ...props },
            outputs: { ...props, id },
            parent: stack?.urn,
            provider: `${p.urn}::${p.id ?? ""}`,
            dependencies: [],
            propertyDependencies: {},
        });
    }
}

/** A single point of failure planted in the planned prod stack, which exactly `rule` must catch. */
export interface PlantedSpof {
    rule: string;
    name: string;
    plant(stack: StackEdit): void;
}

export const PLANTED_SPOFS: PlantedSpof[] = [
    {
        rule: "aws-ec2-nat-gateway-disallow-shared-across-azs",
        name: "shared-nat",
        plant: (s) => s.set("aws:ec2/routeTable:RouteTable::prod-aws-private-us-east-1b", "routes.0.natGatewayId", s.get("aws:ec2/natGateway:NatGateway::prod-aws-nat-us-east-1a").id),
    },
    {
        rule: "aws-eks-node-group-configure-az-spread",
        name: "one-node-group",
        plant: (s) => s.drop("prod-eks-nodes-us-east-1b", "prod-eks-nodes-us-east-1c"),
    },
    {
        rule: "aws-eks-addon-missing-service-account-role",
        name: "ebs-csi-on-node-role",
        plant: (s) => s.remove("aws:eks/addon:Addon::prod-eks-ebs-csi", "serviceAccountRoleArn"),
    },
    {
        rule: "aws-eks-node-group-missing-autoscaler",
        name: "no-cluster-autoscaler",
        plant: (s) => s.drop("prod-eks-autoscaler-deployment"),
    },
    {
        rule: "aws-sns-topic-disallow-aws-managed-key",
        name: "alarm-topic-aws-managed-key",
        plant: (s) => s.set("aws:sns/topic:Topic::prod-dns-alarms", "kmsMasterKeyId", "alias/aws/sns"),
    },
    {
        rule: "gcp-storage-transfer-job-configure-repeat-interval",
        name: "half-hourly-transfer",
        plant: (s) => s.set("prod-backup-transfer-job", "schedule", { scheduleStartDate: { year: 2026, month: 11, day: 30 }, repeatInterval: "1800s" }),
    },
    {
        rule: "kubernetes-core-service-configure-standby-await",
        name: "standby-service-default-await",
        plant: (s) => {
            s.set("prod-gcp-app-deployment", "spec.replicas", 0);
            s.set("prod-gcp-app-deployment", "metadata.annotations", { "langchain-ha.io/standby": "pilot-light", "langchain-ha.io/failover-replicas": "3" });
            s.drop("prod-gcp-app-hpa");
        },
    },
    {
        rule: "kubernetes-autoscaling-hpa-missing-metrics-source",
        name: "no-metrics-server",
        plant: (s) => s.drop("prod-eks-metrics-server-deployment", "prod-eks-metrics-server-api"),
    },
    {
        rule: "aws-rds-instance-enable-multi-az",
        name: "single-az-metadata-db",
        plant: (s) =>
            s.addCustom(
                "aws:rds/instance:Instance",
                "prod-metadata-db",
                { engine: "postgres", engineVersion: "16.4", instanceClass: "db.r6g.large", allocatedStorage: 100, multiAz: false, storageEncrypted: true },
                "pulumi:providers:aws::prod-aws",
            ),
    },
    {
        rule: "aws-route53-health-check-configure-rto",
        name: "slow-health-check",
        plant: (s) => {
            s.set("langchain-ha-prod", "rtoTargetSeconds", 300);
            s.set(`${HEALTH_CHECK}::prod-dns-aws`, "requestInterval", 30);
            s.set(`${HEALTH_CHECK}::prod-dns-aws`, "failureThreshold", 10);
        },
    },
    {
        rule: "aws-route53-record-missing-health-check",
        name: "primary-unchecked",
        plant: (s) => s.remove("prod-dns-primary", "healthCheckId"),
    },
    {
        rule: "aws-route53-record-missing-secondary",
        name: "no-secondary",
        plant: (s) => s.drop("prod-dns-secondary"),
    },
    {
        rule: "aws-route53-record-configure-health-check-endpoint",
        name: "primary-judged-by-dr-check",
        plant: (s) => s.set("prod-dns-primary", "healthCheckId", s.get(`${HEALTH_CHECK}::prod-dns-gcp`).id),
    },
    {
        rule: "aws-route53-health-check-configure-listener",
        name: "check-on-unserved-port",
        plant: (s) => s.set(`${HEALTH_CHECK}::prod-dns-aws`, "port", 8443),
    },
    {
        rule: "aws-route53-health-check-configure-listener",
        name: "check-on-probe-path",
        plant: (s) => s.set(`${HEALTH_CHECK}::prod-dns-aws`, "resourcePath", "/readyz"),
    },
    {
        // Without its marker the backup bucket is still found through the transfer job that copies it.
        rule: "aws-s3-bucket-enable-versioning",
        name: "unmarked-backup-bucket-unversioned",
        plant: (s) => {
            s.drop("prod-backup-s3-versioning");
            s.remove("aws:s3/bucket:Bucket::prod-backup-s3", "tags.holds-backups");
        },
    },
    {
        rule: "aws-s3-bucket-enable-versioning",
        name: "no-versioning",
        plant: (s) => s.drop("prod-backup-s3-versioning"),
    },
    {
        // The existing bucket rules cover the journal buckets: no journal-specific rule is needed.
        rule: "aws-s3-bucket-enable-versioning",
        name: "journal-unversioned",
        plant: (s) => s.drop("prod-replication-journal-s3-versioning"),
    },
    {
        rule: "gcp-storage-bucket-enable-versioning",
        name: "journal-copy-unversioned",
        plant: (s) => s.set("prod-replication-journal-transfer-gcs", "versioning.enabled", false),
    },
    {
        rule: "kubernetes-replication-follower-configure-replicas",
        name: "follower-pilot-light",
        plant: (s) => {
            s.set("prod-gcp-follower-deployment", "spec.replicas", 0);
            s.set("prod-gcp-follower-deployment", "metadata.annotations", { "langchain-ha.io/standby": "pilot-light", "langchain-ha.io/failover-replicas": "2" });
        },
    },
    {
        rule: "kubernetes-replication-follower-missing-election",
        name: "follower-without-lease",
        plant: (s) => s.setEnv("prod-gcp-follower-deployment", "LEASE_NAME", ""),
    },
    {
        rule: "gcp-container-node-pool-configure-min-nodes",
        name: "single-zone-pool",
        plant: (s) => s.edit("prod-gke-pool", (p) => (p["nodeLocations"] = (p["nodeLocations"] as string[]).slice(0, 1))),
    },
    {
        rule: "kubernetes-apps-workload-configure-replicas",
        name: "app-one-replica",
        plant: (s) => {
            s.set("prod-aws-app-deployment", "spec.replicas", 1);
            s.set("prod-aws-app-hpa", "spec.minReplicas", 1);
        },
    },
    {
        rule: "kubernetes-apps-workload-missing-pdb",
        name: "no-app-pdb",
        plant: (s) => s.drop("prod-aws-app-pdb"),
    },
    {
        rule: "kubernetes-apps-workload-missing-zone-spread",
        name: "qdrant-unspread",
        plant: (s) => s.remove("prod-aws-qdrant-statefulset", "spec.template.spec.topologySpreadConstraints"),
    },
    {
        rule: "kubernetes-core-container-missing-probes",
        name: "no-liveness",
        plant: (s) => s.remove("prod-aws-app-deployment", "spec.template.spec.containers.0.livenessProbe"),
    },
    {
        rule: "kubernetes-qdrant-statefulset-configure-replication-factor",
        name: "factor-one",
        plant: (s) => s.setEnv("prod-aws-qdrant-statefulset", REPLICATION_ENV, "1"),
    },
    {
        rule: "kubernetes-qdrant-statefulset-enable-cluster-mode",
        name: "dr-qdrant-standalone",
        plant: (s) => s.setEnv("prod-gcp-qdrant-statefulset", CLUSTER_ENV, "false"),
    },
    {
        rule: "stack-backup-bucket-missing-cross-cloud-copy",
        name: "no-transfer-job",
        plant: (s) => s.drop("prod-backup-transfer-job"),
    },
    {
        rule: "stack-dr-region-missing-other-cloud",
        name: "no-gke-cluster",
        plant: (s) => s.drop("prod-gke-cluster"),
    },
    {
        rule: "stack-endpoint-load-balancer-missing-health-check",
        name: "aws-endpoint-unchecked",
        plant: (s) => s.drop(`${HEALTH_CHECK}::prod-dns-aws`),
    },
    // Storage and node capacity.
    {
        rule: "kubernetes-apps-workload-disallow-shared-rwo-volume",
        name: "app-replicas-on-one-claim",
        plant: (s) => {
            s.addCustom(
                "kubernetes:core/v1:PersistentVolumeClaim",
                "prod-aws-app-data",
                { metadata: { name: "app-data", namespace: "langchain-ha" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName: "gp3", resources: { requests: { storage: "10Gi" } } } },
                "prod-eks-k8s",
            );
            s.edit("prod-aws-app-deployment", (props) => replaceVolume(props, "data", { name: "data", persistentVolumeClaim: { claimName: "app-data" } }));
        },
    },
    {
        rule: "kubernetes-apps-workload-disallow-host-path-state",
        name: "app-data-on-host",
        plant: (s) => s.edit("prod-aws-app-deployment", (props) => replaceVolume(props, "data", { name: "data", hostPath: { path: "/srv/langchain-ha", type: "DirectoryOrCreate" } })),
    },
    {
        rule: "kubernetes-storage-class-disallow-single-zone",
        name: "gp3-bound-immediately",
        plant: (s) => s.set("prod-eks-gp3", "volumeBindingMode", "Immediate"),
    },
    {
        rule: "gcp-container-cluster-missing-node-capacity",
        name: "gke-without-node-pool",
        plant: (s) => s.drop("prod-gke-pool"),
    },
];

/** Replaces the pod template's volume `name` by `volume`. */
function replaceVolume(props: Record<string, unknown>, name: string, volume: Record<string, unknown>): void {
    const volumes = asArray(get(props, "spec.template.spec.volumes")).map(asRecord);
    const at = volumes.findIndex((v) => v["name"] === name);
    if (at < 0) throw new Error(`no volume ${name}`);
    volumes[at] = volume;
    setPath(props, "spec.template.spec.volumes", volumes);
}

/** A copy of `base` with `spof` planted. */
export function planted(base: StackExport, spof: PlantedSpof): StackExport {
    const copy = structuredClone(base);
    spof.plant(new StackEdit(copy.deployment.resources));
    return copy;
}

/** The planted SPOF named `rule: name`. */
export function plantedSpof(rule: string, name: string): PlantedSpof {
    const spof = PLANTED_SPOFS.find((s) => s.rule === rule && s.name === name);
    if (!spof) throw new Error(`no planted SPOF ${rule}: ${name}`);
    return spof;
}
