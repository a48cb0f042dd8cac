import type { StackExport } from "./stackExport";

/** Raised for a bad stack name or bad stack config; its message is one line meant for the user. */
export class PlanError extends Error {}

export interface PlanResult {
    stack: string;
    /** The whole run in `pulumi stack export` shape. */
    export: StackExport;
}

/**
 * Runs the real Pulumi program for `stack` in-process under Pulumi's mocks, with the config
 * from `stacks/Pulumi.<stack>.yaml`, and returns every registered resource.
 * (Implementation lands with the program; this signature is the contract.)
 */
export async function planStack(stack: string, _opts: { stacksDir?: string } = {}): Promise<PlanResult> {
    throw new PlanError(`planStack(${stack}) is not implemented yet`);
}
