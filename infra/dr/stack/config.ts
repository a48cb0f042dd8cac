import * as fs from "node:fs";
import { parseDocument } from "yaml";
import { ConfigError, resolveConfig, type StackConfig } from "../../config";
import { PlanError, readStackFile, DEFAULT_STACKS_DIR } from "../../plan/stackFile";
import * as path from "node:path";
import { InputError } from "../errors";
import type { Side } from "../sides";

/** A stack's validated config, read from stacks/Pulumi.<stack>.yaml as the program reads it. */
export function readStackConfig(stack: string, stacksDir = DEFAULT_STACKS_DIR): StackConfig {
    try {
        const file = readStackFile(stack, stacksDir);
        const raw: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(file.values)) {
            const [namespace, name] = key.split(":", 2) as [string, string];
            if (namespace !== "langchain-ha" || file.secretKeys.includes(key)) continue;
            raw[name] = name === "environment" ? value : JSON.parse(value);
        }
        return resolveConfig(stack, raw, file.file);
    } catch (error) {
        if (error instanceof PlanError || error instanceof ConfigError) throw new InputError(error.message);
        throw error;
    }
}

/** What the stack config must say after a runbook action, so that `pulumi preview` shows no surprise. */
export interface ConfigChange {
    activeSide: Side;
}

export interface ConfigChangeResult {
    file: string;
    /** Lines for the operator: the exact change, and whether it was written. */
    lines: string[];
    written: boolean;
}

/**
 * Sets `langchain-ha:dr.activeSide` in the stack file, keeping its comments and layout. The
 * standby capacity follows from it (the program scales the new standby by dr.mode), so that is
 * the one key that changes. With `write: false` it only says what to change.
 */
export function applyConfigChange(stack: string, change: ConfigChange, options: { write: boolean; stacksDir?: string }): ConfigChangeResult {
    const dir = options.stacksDir ?? DEFAULT_STACKS_DIR;
    const full = path.join(dir, `Pulumi.${stack}.yaml`);
    const file = path.relative(process.cwd(), full) || full;
    const doc = parseDocument(fs.readFileSync(full, "utf8"));
    const key = ["config", "langchain-ha:dr", "activeSide"];
    const current = doc.getIn(key);
    if (current === change.activeSide) return { file, lines: [`${file}: langchain-ha:dr.activeSide is already ${change.activeSide}`], written: false };
    const command = `pulumi config set --path 'langchain-ha:dr.activeSide' ${change.activeSide} --stack ${stack}`;
    const lines = [`${file}: langchain-ha:dr.activeSide ${String(current ?? "(default aws)")} -> ${change.activeSide}  (same as: ${command})`];
    if (!options.write) return { file, lines: [...lines, "not written (--no-config-write): commit this change before the next pulumi up"], written: false };
    doc.setIn(key, change.activeSide);
    fs.writeFileSync(full, doc.toString());
    return { file, lines: [...lines, `written; commit ${file} and run: pulumi refresh --stack ${stack} && pulumi preview --stack ${stack}`], written: true };
}
