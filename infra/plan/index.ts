export { planStack, PlanError } from "./run";
export type { PlanResult } from "./run";
export type { ExportedResource, StackExport } from "./stackExport";
