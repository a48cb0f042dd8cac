export { LangchainService } from "./workload";
export type { LangchainServiceArgs, ServiceScale } from "./workload";
