import * as path from "node:path";
import type { StackConfig } from "../config";
import { cloudAdapters, type Adapters } from "./adapters";
import { InputError } from "./errors";
import type { ActionOptions, CommonOptions } from "./options";
import { AuditLog } from "./runner/audit";
import type { Io } from "./runner/io";
import type { RunOptions } from "./runner/machine";
import { StateFile } from "./runner/stateFile";
import { readStackConfig } from "./stack/config";
import { loadOutputs } from "./stack/source";
import type { StackOutputs } from "./stack/outputs";

/** What a command needs besides its options; the local drill and the tests pass their own. */
export interface Deps {
    io: Io;
    env: NodeJS.ProcessEnv;
    /** Builds the adapters for a stack's outputs (default: the cloud adapters). */
    adapters?: (outputs: StackOutputs) => Adapters;
}

export interface StackContext {
    config: StackConfig;
    outputs: StackOutputs;
    adapters: Adapters;
}

/** Reads the stack config and outputs and checks they describe the same stack. */
export async function stackContext(o: CommonOptions, deps: Deps): Promise<StackContext> {
    const config = readStackConfig(o.stack, o.stacksDir);
    const outputs = await loadOutputs(o.stack, o.outputs);
    if (outputs.environment !== config.environment) {
        throw new InputError(`the outputs are for environment "${outputs.environment}" but stack ${o.stack} is environment "${config.environment}"`);
    }
    return { config, outputs, adapters: (deps.adapters ?? ((out) => cloudAdapters(out, deps.env)))(outputs) };
}

export function runOptions(o: ActionOptions, deps: Deps): RunOptions {
    return {
        stack: o.stack,
        stateFile: StateFile.forStack(o.stateDir, o.stack),
        audit: new AuditLog(path.join(o.stateDir, "audit.jsonl")),
        io: deps.io,
        dryRun: o.dryRun,
        yes: o.yes,
        discardUnfinished: o.discardUnfinished,
    };
}
