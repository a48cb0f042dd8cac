import * as fs from "node:fs";
import * as path from "node:path";
import { InputError, oneLine } from "../errors";
import { parseStackOutputs, readOutputsFile, type StackOutputs } from "./outputs";

const PROJECT_DIR = path.resolve(__dirname, "..", "..", "..");

/** True when a `pulumi` executable is on PATH. */
export function pulumiCliPresent(env: NodeJS.ProcessEnv = process.env): boolean {
    return (env.PATH ?? "").split(path.delimiter).some((dir) => dir !== "" && fs.existsSync(path.join(dir, "pulumi")));
}

/**
 * The stack's outputs: from `--outputs <file>` when given, else through the Automation API
 * (which drives the Pulumi CLI) when a CLI is installed. Secrets are read in plain text because
 * the kubeconfigs are secret outputs.
 */
export async function loadOutputs(stack: string, outputsFile: string | undefined): Promise<StackOutputs> {
    if (outputsFile !== undefined) return readOutputsFile(outputsFile);
    if (!pulumiCliPresent()) {
        throw new InputError("no --outputs file and no pulumi CLI on PATH to read the stack outputs",
            `pass --outputs outputs.json, written with: pulumi stack output --json --show-secrets --stack ${stack} > outputs.json`);
    }
    // Loaded here only: the automation module spawns the CLI and is not needed with --outputs.
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
    let values: Record<string, unknown>;
    try {
        const selected = await LocalWorkspace.selectStack({ stackName: stack, workDir: PROJECT_DIR });
        const map = await selected.outputs();
        values = Object.fromEntries(Object.entries(map).map(([key, output]) => [key, output.value as unknown]));
    } catch (error) {
        throw new InputError(`cannot read the outputs of stack ${stack} through the Pulumi CLI: ${oneLine(error)}`);
    }
    return parseStackOutputs(values, `stack ${stack}'s outputs`);
}
