export { resolveConfig, ConfigError, CONFIG_NAMESPACE, CONFIG_KEYS, SECRET_KEYS } from "./load";
export type { StackConfig, SecretKey } from "./load";
export { backupSchedule, journalExpiry, recoveryTimes, cronEvery, JOURNAL_MARGIN_SNAPSHOTS, LOGICAL_SNAPSHOT_ROOT } from "./derive";
export { readProgramConfig, requiredSecrets } from "./pulumiConfig";
export type { ProgramConfig } from "./pulumiConfig";
