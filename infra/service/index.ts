export { LangchainService, SERVICE_POD_SELECTOR, validateLangchainServiceArgs } from "./workload";
export type { LangchainServiceArgs, ServiceScale } from "./workload";
export { ADMIN_CONTAINER_PORT, LISTENER_ENV, monitoringPeers } from "./ports";
export { apiKeysEnv } from "./apiKeys";
