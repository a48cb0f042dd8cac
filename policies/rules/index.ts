import { Registry } from "../lib/registry";
import { awsAutoscalingGroupConfigureHealthCheckType } from "./aws/autoscaling/group-configure-health-check-type";
import { awsCloudformationStackEnforcePackRules } from "./aws/cloudformation/stack-enforce-pack-rules";
import { awsDocdbClusterConfigureMultiAzInstances } from "./aws/docdb/cluster-configure-multi-az-instances";
import { awsDynamodbTableEnablePointInTimeRecovery } from "./aws/dynamodb/table-enable-point-in-time-recovery";
import { awsEc2InstanceDisallowSoleTarget } from "./aws/ec2/instance-disallow-sole-target";
import { awsEfsFileSystemDisallowOneZone } from "./aws/efs/file-system-disallow-one-zone";
import { awsElasticacheClusterDisallowSingleNode } from "./aws/elasticache/cluster-disallow-single-node";
import { awsElbLoadBalancerMissingHealthCheck } from "./aws/elb/load-balancer-missing-health-check";
import { awsLbLoadBalancerEnableCrossZone } from "./aws/lb/load-balancer-enable-cross-zone";
import { awsMskClusterConfigureAzSpread } from "./aws/msk/cluster-configure-az-spread";
import { awsNeptuneClusterConfigureMultiAzInstances } from "./aws/neptune/cluster-configure-multi-az-instances";
import { awsOpensearchDomainConfigureZoneAwareness } from "./aws/opensearch/domain-configure-zone-awareness";
import { awsRdsDatabaseConfigureBackupRetention } from "./aws/rds/database-configure-backup-retention";
import { awsRdsDatabaseEnableDeletionProtection } from "./aws/rds/database-enable-deletion-protection";
import { gcpAlloydbInstanceConfigureRegional } from "./gcp/alloydb/instance-configure-regional";
import { gcpComputeBackendServiceConfigureZoneSpread } from "./gcp/compute/backend-service-configure-zone-spread";
import { gcpFilestoreInstanceConfigureRegionalTier } from "./gcp/filestore/instance-configure-regional-tier";
import { gcpMemorystoreClusterConfigureReplicas } from "./gcp/memorystore/cluster-configure-replicas";
import { kubernetesAppsControllerConfigureReplicas } from "./kubernetes/apps/controller-configure-replicas";
import { kubernetesHelmReleaseConfigureReplicas } from "./kubernetes/helm/release-configure-replicas";
import { stackWrapperComponentMissingChildren } from "./stack/wrapper/component-missing-children";
import { awsAutoscalingGroupConfigureAzSpread } from "./aws/autoscaling/group-configure-az-spread";
import { awsEc2NatGatewayDisallowSharedAcrossAzs } from "./aws/ec2/nat-gateway-disallow-shared-across-azs";
import { awsEksAddonMissingServiceAccountRole } from "./aws/eks/addon-missing-service-account-role";
import { awsEksNodeGroupConfigureAzSpread } from "./aws/eks/node-group-configure-az-spread";
import { awsEksClusterDisallowOpenEndpoint } from "./aws/eks/cluster-disallow-open-endpoint";
import { awsEksNodeGroupMissingAutoscaler } from "./aws/eks/node-group-missing-autoscaler";
import { awsElasticacheReplicationGroupEnableFailover } from "./aws/elasticache/replication-group-enable-failover";
import { awsLbLoadBalancerConfigureAzSpread } from "./aws/lb/load-balancer-configure-az-spread";
import { awsLbTargetGroupMissingHealthCheck } from "./aws/lb/target-group-missing-health-check";
import { awsRdsClusterConfigureMultiAzInstances } from "./aws/rds/cluster-configure-multi-az-instances";
import { awsRdsInstanceEnableMultiAz } from "./aws/rds/instance-enable-multi-az";
import { awsRoute53HealthCheckConfigureRto } from "./aws/route53/health-check-configure-rto";
import { awsRoute53RecordMissingHealthCheck } from "./aws/route53/record-missing-health-check";
import { awsRoute53RecordMissingSecondary } from "./aws/route53/record-missing-secondary";
import { awsRoute53RecordConfigureHealthCheckEndpoint } from "./aws/route53/record-configure-health-check-endpoint";
import { awsRoute53HealthCheckConfigureListener } from "./aws/route53/health-check-configure-listener";
import { awsS3BucketEnableVersioning } from "./aws/s3/bucket-enable-versioning";
import { awsSnsTopicDisallowAwsManagedKey } from "./aws/sns/topic-disallow-aws-managed-key";
import { gcpContainerClusterConfigureRegional } from "./gcp/container/cluster-configure-regional";
import { gcpContainerClusterDisallowOpenEndpoint } from "./gcp/container/cluster-disallow-open-endpoint";
import { gcpContainerClusterMissingNodeCapacity } from "./gcp/container/cluster-missing-node-capacity";
import { gcpContainerNodePoolConfigureMinNodes } from "./gcp/container/node-pool-configure-min-nodes";
import { gcpRedisInstanceConfigureStandardHa } from "./gcp/redis/instance-configure-standard-ha";
import { gcpSqlDatabaseInstanceConfigureRegional } from "./gcp/sql/database-instance-configure-regional";
import { gcpStorageBucketEnableVersioning } from "./gcp/storage/bucket-enable-versioning";
import { gcpStorageTransferJobConfigureRepeatInterval } from "./gcp/storage/transfer-job-configure-repeat-interval";
import { kubernetesAppsStandbyConfigureFailoverReplicas } from "./kubernetes/apps/standby-configure-failover-replicas";
import { kubernetesAppsWorkloadConfigureReplicas } from "./kubernetes/apps/workload-configure-replicas";
import { kubernetesAppsWorkloadMissingPdb } from "./kubernetes/apps/workload-missing-pdb";
import { kubernetesAppsWorkloadMissingZoneSpread } from "./kubernetes/apps/workload-missing-zone-spread";
import { kubernetesAppsWorkloadDisallowHostPathState } from "./kubernetes/apps/workload-disallow-host-path-state";
import { kubernetesAppsWorkloadDisallowSharedRwoVolume } from "./kubernetes/apps/workload-disallow-shared-rwo-volume";
import { kubernetesStorageClassDisallowSingleZone } from "./kubernetes/storage/class-disallow-single-zone";
import { kubernetesAutoscalingHpaMissingMetricsSource } from "./kubernetes/autoscaling/hpa-missing-metrics-source";
import { kubernetesCoreContainerConfigureDistinctProbes } from "./kubernetes/core/container-configure-distinct-probes";
import { kubernetesCoreContainerMissingProbes } from "./kubernetes/core/container-missing-probes";
import { kubernetesCoreServiceConfigureStandbyAwait } from "./kubernetes/core/service-configure-standby-await";
import { kubernetesCoreServiceConfigureTlsPolicy } from "./kubernetes/core/service-configure-tls-policy";
import { kubernetesCoreServiceMissingWorkload } from "./kubernetes/core/service-missing-workload";
import { kubernetesPolicyPdbDisallowZeroDisruption } from "./kubernetes/policy/pdb-disallow-zero-disruption";
import { kubernetesQdrantStatefulsetConfigureReplicationFactor } from "./kubernetes/qdrant/statefulset-configure-replication-factor";
import { kubernetesQdrantStatefulsetEnableClusterMode } from "./kubernetes/qdrant/statefulset-enable-cluster-mode";
import { kubernetesReplicationFollowerConfigureReplicas } from "./kubernetes/replication/follower-configure-replicas";
import { kubernetesReplicationFollowerMissingElection } from "./kubernetes/replication/follower-missing-election";
import { stackBackupBucketMissingCrossCloudCopy } from "./stack/backup/bucket-missing-cross-cloud-copy";
import { stackDrFailoverMissingAlert } from "./stack/dr/failover-missing-alert";
import { stackDrRegionMissingOtherCloud } from "./stack/dr/region-missing-other-cloud";
import { stackEndpointLoadBalancerMissingHealthCheck } from "./stack/endpoint/load-balancer-missing-health-check";
import { stackObservabilityWorkloadMissingScrapeTarget } from "./stack/observability/workload-missing-scrape-target";

/** Every rule of the pack, in the order the pack runs them. */
export const registry = new Registry().add(
    awsRdsInstanceEnableMultiAz,
    awsRdsClusterConfigureMultiAzInstances,
    awsElasticacheReplicationGroupEnableFailover,
    awsEc2NatGatewayDisallowSharedAcrossAzs,
    awsEksNodeGroupConfigureAzSpread,
    awsEksAddonMissingServiceAccountRole,
    awsEksNodeGroupMissingAutoscaler,
    awsEksClusterDisallowOpenEndpoint,
    awsAutoscalingGroupConfigureAzSpread,
    awsLbLoadBalancerConfigureAzSpread,
    awsLbTargetGroupMissingHealthCheck,
    awsRoute53RecordMissingHealthCheck,
    awsRoute53RecordMissingSecondary,
    awsRoute53RecordConfigureHealthCheckEndpoint,
    awsRoute53HealthCheckConfigureListener,
    awsRoute53HealthCheckConfigureRto,
    awsS3BucketEnableVersioning,
    awsSnsTopicDisallowAwsManagedKey,
    gcpSqlDatabaseInstanceConfigureRegional,
    gcpRedisInstanceConfigureStandardHa,
    gcpContainerClusterConfigureRegional,
    gcpContainerClusterDisallowOpenEndpoint,
    gcpContainerNodePoolConfigureMinNodes,
    gcpStorageBucketEnableVersioning,
    gcpStorageTransferJobConfigureRepeatInterval,
    kubernetesAppsWorkloadConfigureReplicas,
    kubernetesAppsStandbyConfigureFailoverReplicas,
    kubernetesAppsWorkloadMissingPdb,
    kubernetesAppsWorkloadMissingZoneSpread,
    kubernetesAutoscalingHpaMissingMetricsSource,
    kubernetesCoreContainerMissingProbes,
    kubernetesCoreContainerConfigureDistinctProbes,
    kubernetesCoreServiceMissingWorkload,
    kubernetesCoreServiceConfigureStandbyAwait,
    kubernetesCoreServiceConfigureTlsPolicy,
    kubernetesPolicyPdbDisallowZeroDisruption,
    kubernetesQdrantStatefulsetEnableClusterMode,
    kubernetesQdrantStatefulsetConfigureReplicationFactor,
    kubernetesReplicationFollowerConfigureReplicas,
    kubernetesReplicationFollowerMissingElection,
    stackDrRegionMissingOtherCloud,
    stackBackupBucketMissingCrossCloudCopy,
    stackEndpointLoadBalancerMissingHealthCheck,
    stackDrFailoverMissingAlert,
    stackObservabilityWorkloadMissingScrapeTarget,
);

// The kinds the anchor checks (Checkov, KICS, Trivy, Polaris, kube-score, Pulumi's packs) judge,
// and the opaque wrappers; kept in their own block.
registry.add(
    awsRdsDatabaseConfigureBackupRetention,
    awsRdsDatabaseEnableDeletionProtection,
    awsDocdbClusterConfigureMultiAzInstances,
    awsNeptuneClusterConfigureMultiAzInstances,
    awsElasticacheClusterDisallowSingleNode,
    awsDynamodbTableEnablePointInTimeRecovery,
    awsEfsFileSystemDisallowOneZone,
    awsOpensearchDomainConfigureZoneAwareness,
    awsMskClusterConfigureAzSpread,
    awsElbLoadBalancerMissingHealthCheck,
    awsLbLoadBalancerEnableCrossZone,
    awsAutoscalingGroupConfigureHealthCheckType,
    awsEc2InstanceDisallowSoleTarget,
    gcpAlloydbInstanceConfigureRegional,
    gcpMemorystoreClusterConfigureReplicas,
    gcpFilestoreInstanceConfigureRegionalTier,
    gcpComputeBackendServiceConfigureZoneSpread,
    kubernetesAppsControllerConfigureReplicas,
    kubernetesHelmReleaseConfigureReplicas,
    awsCloudformationStackEnforcePackRules(() => registry.all()),
    stackWrapperComponentMissingChildren,
);

// Storage and node capacity single points of failure (issue 11, section 3).
registry.add(
    kubernetesAppsWorkloadDisallowSharedRwoVolume,
    kubernetesAppsWorkloadDisallowHostPathState,
    kubernetesStorageClassDisallowSingleZone,
    gcpContainerClusterMissingNodeCapacity,
);
