export { resolveConfig, ConfigError, CONFIG_NAMESPACE, CONFIG_KEYS, SECRET_KEYS } from "./load";
export type { StackConfig, SecretKey } from "./load";
export { backupSchedule, recoveryTimes, cronEvery } from "./derive";
export { readProgramConfig, requiredSecrets, utcDate } from "./pulumiConfig";
export type { CalendarDate, ProgramConfig } from "./pulumiConfig";
