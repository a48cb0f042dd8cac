export { planStack, PlanError, PROJECT } from "./run";
export type { PlanResult } from "./run";
export { listStacks, readStackFile, DEFAULT_STACKS_DIR } from "./stackFile";
export { toStackExport } from "./exportFormat";
export { cloudMocks, installRecordingMocks } from "./mocks";
export type { RegisteredResource } from "./mocks";
export type { ExportedResource, StackExport } from "./stackExport";
