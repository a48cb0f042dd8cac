import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, readProgramConfig, SECRET_KEYS, type ProgramConfig } from "../config";
import { defineStack } from "../program";
import { cloudMocksIn, installRecordingMocks, type RegisteredResource } from "./mocks";
import type { StackConfig } from "../config";
import { plainTextSecrets, unsafeValues, type PlanWarning } from "./warnings";
import { toStackExport } from "./exportFormat";
import type { StackExport } from "./stackExport";
import { DEFAULT_STACKS_DIR, PlanError, readStackFile } from "./stackFile";

export { PlanError };

export const PROJECT = "langchain-ha";

export interface PlanResult {
    stack: string;
    /** The whole run in `pulumi stack export` shape. */
    export: StackExport;
    /** Registered resources in registration order, with plain inputs and outputs. */
    resources: RegisteredResource[];
    /** Stack outputs. */
    outputs: Record<string, unknown>;
    /** Secret keys the stack file does not set; the plan used placeholders for them. */
    placeholderSecrets: string[];
    /** The validated stack config the program ran with. */
    config: StackConfig;
    /** Values that deploy but should not go unreviewed (placeholders, no alarm subscriber, a defaulted image). */
    warnings: PlanWarning[];
}

/**
 * Runs the real Pulumi program for `stack` in-process under Pulumi's mocks, with the config
 * from `stacks/Pulumi.<stack>.yaml`, and returns every registered resource. Secrets cannot be
 * decrypted offline, so every secret (set or not) is a placeholder value marked secret.
 * The Pulumi runtime is process-global: runs may follow one another, never overlap.
 */
export async function planStack(stack: string, opts: { stacksDir?: string } = {}): Promise<PlanResult> {
    const file = readStackFile(stack, opts.stacksDir ?? DEFAULT_STACKS_DIR);
    // A secret in plain text is in the repository's history already: refuse before anything runs.
    const leaked = plainTextSecrets(file);
    if (leaked.length > 0) throw new PlanError(`${file.file}: ${leaked.join("; ")}`);
    const values = { ...file.values };
    const placeholderSecrets: string[] = [];
    for (const key of SECRET_KEYS) {
        const full = `${CONFIG_NAMESPACE}:${key}`;
        if (!(full in values)) {
            values[full] = `<secret ${full}>`;
            placeholderSecrets.push(full);
        }
    }
    const secretKeys = [...file.secretKeys, ...placeholderSecrets];
    pulumi.runtime.setAllConfig(values, secretKeys);
    let awsRegion = "us-east-1";
    const registered = installRecordingMocks(PROJECT, stack, cloudMocksIn(() => awsRegion));

    // Config is read and validated before the stack exists, as `pulumi up` does at module load.
    let config: ProgramConfig;
    try {
        config = readProgramConfig(file.file);
    } catch (err) {
        if (err instanceof ConfigError) throw new PlanError(err.message);
        throw err;
    }
    awsRegion = config.config.aws.region;
    const outputs = ((await pulumi.runtime.runInPulumiStack(async () => defineStack(config))) ?? {}) as Record<string, unknown>;
    await pulumi.runtime.disconnect();
    const resources = [...registered.values()];
    return { stack, export: toStackExport(resources), resources, outputs, placeholderSecrets, config: config.config, warnings: unsafeValues(file, config.config) };
}
