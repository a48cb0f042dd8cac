export { AwsNetwork, validateAwsNetworkArgs } from "./network";
export type { AwsNetworkArgs } from "./network";
export { EksCluster, validateEksClusterArgs, EBS_CSI_SERVICE_ACCOUNT } from "./eks";
export type { EksClusterArgs, NodesPerZone } from "./eks";
export { serviceTrustPolicy, serviceAccountTrustPolicy, webIdentityTrustPolicy, policyDocument } from "./iam";
export { subnetCidr } from "./cidr";
export { ClusterAutoscaler, clusterAutoscalerImage, clusterAutoscalerPolicy, validateClusterAutoscalerArgs } from "./clusterAutoscaler";
export type { ClusterAutoscalerArgs } from "./clusterAutoscaler";
