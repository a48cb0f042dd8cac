export { AwsNetwork, validateAwsNetworkArgs } from "./network";
export type { AwsNetworkArgs } from "./network";
export { EksCluster, validateEksClusterArgs } from "./eks";
export type { EksClusterArgs, NodesPerZone } from "./eks";
export { serviceTrustPolicy, webIdentityTrustPolicy, policyDocument } from "./iam";
export { subnetCidr } from "./cidr";
