export { resolveConfig, ConfigError, CONFIG_NAMESPACE, CONFIG_KEYS, SECRET_KEYS } from "./load";
export type { StackConfig, SecretKey } from "./load";
export { backupSchedule, recoveryTimes, cronEvery } from "./derive";
export { stackConfigSchema, ROUTE53_CHECKER_REGIONS } from "./schema";
export type { StackConfigInput } from "./schema";
export { readProgramConfig, requiredSecrets } from "./pulumiConfig";
export type { ProgramConfig } from "./pulumiConfig";
