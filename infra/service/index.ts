export { LangchainService, validateLangchainServiceArgs } from "./workload";
export type { LangchainServiceArgs, ServiceScale } from "./workload";
