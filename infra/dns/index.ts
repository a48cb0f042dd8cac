export { DnsFailover, validateDnsFailoverArgs } from "./failover";
export type { DnsFailoverArgs, Endpoint } from "./failover";
export { ServiceCertificate } from "./certificate";
export type { ServiceCertificateArgs } from "./certificate";
