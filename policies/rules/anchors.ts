import type { Anchor } from "../lib/anchors";

const checkov = (id: string, title: string): Anchor => ({ tool: "Checkov", id, title });
const kics = (id: string, title: string): Anchor => ({ tool: "KICS", id, title });
const trivy = (id: string, title: string): Anchor => ({ tool: "Trivy", id, title });
const polaris = (id: string, title: string): Anchor => ({ tool: "Polaris", id, title });
const kubeScore = (id: string, title: string): Anchor => ({ tool: "kube-score", id, title });
const pulumi = (id: string, title: string): Anchor => ({ tool: "Pulumi compliance", id, title });

/**
 * The anchor checks of every rule, by rule name. An empty list says that none of the anchor
 * tools judges the kind (the pack's own ground); every rule has an entry (meta-test).
 */
export const ANCHORS: Readonly<Record<string, readonly Anchor[]>> = {
    "aws-rds-instance-enable-multi-az": [
        checkov("CKV_AWS_157", "Ensure that RDS instances have Multi-AZ enabled"),
        kics("53598739-ffe2-4b77-9fe5-de95f2252345", "RDS Multi-AZ Deployment Disabled"),
    ],
    "aws-rds-cluster-configure-multi-az-instances": [pulumi("aws-rds-cluster-disallow-single-availability-zone", "Check that RDS Cluster doesn't use single availability zone")],
    "aws-elasticache-replication-group-enable-failover": [checkov("CKV2_AWS_50", "Ensure AWS ElastiCache Redis cluster with Multi-AZ Automatic Failover feature set to enabled")],
    "aws-ec2-nat-gateway-disallow-shared-across-azs": [],
    "aws-eks-node-group-configure-az-spread": [],
    "aws-eks-addon-missing-service-account-role": [],
    "aws-eks-node-group-missing-autoscaler": [],
    "aws-eks-cluster-disallow-open-endpoint": [
        checkov("CKV_AWS_39", "Ensure Amazon EKS public endpoint disabled"),
        checkov("CKV_AWS_38", "Ensure Amazon EKS public endpoint not accessible to 0.0.0.0/0"),
        pulumi("aws-eks-cluster-disallow-api-endpoint-public-access", "Check that EKS Clusters API Endpoint are not publicly accessible"),
    ],
    "aws-autoscaling-group-configure-az-spread": [],
    "aws-lb-load-balancer-configure-az-spread": [pulumi("aws-elb-loadbalancer-configure-multi-availability-zone", "Check that ELB Load Balancers uses more than one availability zone")],
    "aws-lb-target-group-missing-health-check": [checkov("CKV_AWS_261", "Ensure HTTP HTTPS Target group defines Healthcheck")],
    "aws-route53-record-missing-health-check": [],
    "aws-route53-record-missing-secondary": [],
    "aws-route53-health-check-configure-rto": [],
    "aws-route53-record-configure-health-check-endpoint": [],
    "aws-route53-health-check-configure-listener": [],
    "aws-s3-bucket-enable-versioning": [checkov("CKV_AWS_21", "Ensure all data stored in the S3 bucket have versioning enabled")],
    "aws-sns-topic-disallow-aws-managed-key": [],
    "gcp-sql-database-instance-configure-regional": [],
    "gcp-redis-instance-configure-standard-ha": [],
    "gcp-container-cluster-configure-regional": [],
    "gcp-container-cluster-disallow-open-endpoint": [],
    "gcp-container-node-pool-configure-min-nodes": [],
    "gcp-storage-bucket-enable-versioning": [],
    "gcp-storage-transfer-job-configure-repeat-interval": [],
    "kubernetes-apps-workload-configure-replicas": [
        polaris("deploymentMissingReplicas", "Only one replica is scheduled"),
        polaris("hpaMinAvailability", "HPA minReplicas should be 2 or more"),
        pulumi("kubernetes-apps-v1-deployment-configure-minimum-replica-count", "Checks that Kubernetes Deployments have at least three replicas"),
    ],
    "kubernetes-apps-standby-configure-failover-replicas": [],
    "kubernetes-apps-workload-missing-pdb": [
        polaris("missingPodDisruptionBudget", "Should have a PodDisruptionBudget"),
        kubeScore("deployment-has-poddisruptionbudget", "Makes sure that all Deployments are targeted by a PDB"),
        kubeScore("statefulset-has-poddisruptionbudget", "Makes sure that all StatefulSets are targeted by a PDB"),
        kics("b23e9b98-0cb6-4fc9-b257-1f3270442678", "Deployment Without PodDisruptionBudget"),
        kics("1db3a5a5-bf75-44e5-9e44-c56cfc8b1ac5", "StatefulSet Without PodDisruptionBudget"),
    ],
    "kubernetes-apps-workload-missing-zone-spread": [
        polaris("topologySpreadConstraint", "Pod should be configured with a valid topology spread constraint"),
        kubeScore("deployment-has-host-podantiaffinity", "Makes sure that a podAntiAffinity has been set that prevents multiple pods from being scheduled on the same node"),
        kubeScore("statefulset-has-host-podantiaffinity", "Makes sure that a podAntiAffinity has been set that prevents multiple pods from being scheduled on the same node"),
    ],
    "kubernetes-autoscaling-hpa-missing-metrics-source": [],
    "kubernetes-core-container-missing-probes": [
        checkov("CKV_K8S_8", "Liveness Probe Should be Configured"),
        checkov("CKV_K8S_9", "Readiness Probe Should be Configured"),
        polaris("livenessProbeMissing", "Liveness probe should be configured"),
        polaris("readinessProbeMissing", "Readiness probe should be configured"),
        kubeScore("pod-probes", "Makes sure that all Pods have safe probe configurations"),
        kics("ade74944-a674-4e00-859e-c6eab5bde441", "Liveness Probe Is Not Defined"),
        kics("a659f3b5-9bf0-438a-bd9a-7d3a6427f1e3", "Readiness Probe Is Not Configured"),
    ],
    "kubernetes-core-container-configure-distinct-probes": [kubeScore("pod-probes-identical", "Container has the same readiness and liveness probe")],
    "kubernetes-core-service-missing-workload": [
        kubeScore("service-targets-pod", "Makes sure that all Services targets a Pod"),
        kics("3ca03a61-3249-4c16-8427-6f8e47dda729", "Service Does Not Target Pod"),
    ],
    "kubernetes-core-service-configure-standby-await": [],
    "kubernetes-core-service-configure-tls-policy": [],
    "kubernetes-policy-pdb-disallow-zero-disruption": [polaris("pdbDisruptionsIsZero", "Voluntary evictions are not possible")],
    "kubernetes-qdrant-statefulset-enable-cluster-mode": [],
    "kubernetes-qdrant-statefulset-configure-replication-factor": [],
    "kubernetes-replication-follower-configure-replicas": [],
    "kubernetes-replication-follower-missing-election": [],
    "stack-dr-region-missing-other-cloud": [],
    "stack-backup-bucket-missing-cross-cloud-copy": [],
    "stack-endpoint-load-balancer-missing-health-check": [],
    "stack-dr-failover-missing-alert": [],
    "stack-observability-workload-missing-scrape-target": [],
    "aws-rds-database-configure-backup-retention": [
        checkov("CKV_AWS_133", "Ensure that RDS instances has backup policy"),
        kics("1dc73fb4-5b51-430c-8c5f-25dcf9090b02", "RDS With Backup Disabled"),
        trivy("AVD-AWS-0077", "RDS Cluster and RDS instance should have backup retention longer than default 1 day"),
        pulumi("aws-rds-instance-enable-backup-retention", "Checks that RDS Instances backup retention policy is enabled"),
        pulumi("aws-rds-cluster-enable-backup-retention", "Checks that RDS Clusters backup retention policy is enabled"),
    ],
    "aws-rds-database-enable-deletion-protection": [
        checkov("CKV_AWS_293", "Ensure that AWS database instances have deletion protection enabled"),
        checkov("CKV_AWS_139", "Ensure that RDS clusters have deletion protection enabled"),
        trivy("AVD-AWS-0177", "RDS Deletion Protection Disabled"),
    ],
    "aws-docdb-cluster-configure-multi-az-instances": [],
    "aws-neptune-cluster-configure-multi-az-instances": [],
    "aws-elasticache-cluster-disallow-single-node": [kics("6db03a91-f933-4f13-ab38-a8b87a7de54d", "ElastiCache Nodes Not Created Across Multi AZ")],
    "aws-dynamodb-table-enable-point-in-time-recovery": [
        checkov("CKV_AWS_28", "Ensure DynamoDB point in time recovery (backup) is enabled"),
        checkov("CKV_AWS_165", "Ensure DynamoDB point in time recovery (backup) is enabled for global tables"),
        kics("741f1291-47ac-4a85-a07b-3d32a9d6bd3e", "DynamoDB Table Point In Time Recovery Disabled"),
        trivy("AVD-AWS-0024", "Point in time recovery should be enabled to protect DynamoDB table"),
    ],
    "aws-efs-file-system-disallow-one-zone": [pulumi("aws-efs-filesystem-disallow-single-availability-zone", "Check that EFS File system doesn't use single availability zone")],
    "aws-opensearch-domain-configure-zone-awareness": [checkov("CKV_AWS_318", "Ensure Elasticsearch domains are configured with at least three dedicated master nodes for HA")],
    "aws-msk-cluster-configure-az-spread": [],
    "aws-elb-load-balancer-missing-health-check": [pulumi("aws-elb-loadbalancer-enable-health-check", "Check that ELB Load Balancers have a health check enabled")],
    "aws-lb-load-balancer-enable-cross-zone": [
        checkov("CKV_AWS_152", "Ensure that Load Balancer (Network/Gateway) has cross-zone load balancing enabled"),
        checkov("CKV_AWS_138", "Ensure that ELB is cross-zone-load-balancing enabled"),
    ],
    "aws-autoscaling-group-configure-health-check-type": [checkov("CKV2_AWS_15", "Ensure that auto Scaling groups that are associated with a load balancer, are using Elastic Load Balancing health checks")],
    "aws-ec2-instance-disallow-sole-target": [],
    "gcp-alloydb-instance-configure-regional": [],
    "gcp-memorystore-cluster-configure-replicas": [],
    "gcp-filestore-instance-configure-regional-tier": [],
    "gcp-compute-backend-service-configure-zone-spread": [],
    "kubernetes-apps-controller-configure-replicas": [],
    "kubernetes-helm-release-configure-replicas": [],
    "aws-cloudformation-stack-enforce-pack-rules": [],
    "stack-wrapper-component-missing-children": [],
    // Storage and node capacity.
    "kubernetes-apps-workload-disallow-shared-rwo-volume": [],
    "kubernetes-apps-workload-disallow-host-path-state": [
        trivy("AVD-KSV-0023", "hostPath volumes mounted"),
        kics("aa8f7a35-9923-4cad-bd61-a19b7f6aac91", "Non Kube System Pod With Host Mount"),
    ],
    "kubernetes-storage-class-disallow-single-zone": [],
    "gcp-container-cluster-missing-node-capacity": [],
};

/** The anchor checks of a rule (none when no anchor tool judges its kind). */
export function anchorsOf(ruleName: string): readonly Anchor[] {
    return ANCHORS[ruleName] ?? [];
}
