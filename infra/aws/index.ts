export { AwsNetwork } from "./network";
export type { AwsNetworkArgs } from "./network";
export { EksCluster } from "./eks";
export type { EksClusterArgs, NodesPerZone } from "./eks";
export { serviceTrustPolicy, webIdentityTrustPolicy, policyDocument } from "./iam";
export { subnetCidr } from "./cidr";
