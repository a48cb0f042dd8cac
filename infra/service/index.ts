export { LangchainService, SERVICE_POD_SELECTOR, validateLangchainServiceArgs } from "./workload";
export type { LangchainServiceArgs, ServiceScale } from "./workload";
