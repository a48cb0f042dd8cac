import * as fs from "node:fs";
import { z } from "zod";
import type { StackExport } from "../../infra/plan/stackExport";
import { InputError } from "./config";

// A resource's inputs and outputs are checked to be objects, not walked key by key: they are
// arbitrary provider data, and copying every record of a large export cost as much as parsing it.
const properties = z.custom<Record<string, unknown>>((v) => typeof v === "object" && v !== null && !Array.isArray(v), { error: "expected an object" });

const resourceSchema = z.object({
    urn: z.string().startsWith("urn:pulumi:"),
    type: z.string().min(1),
    id: z.string().optional(),
    custom: z.boolean().optional(),
    inputs: properties.optional(),
    outputs: properties.optional(),
    parent: z.string().optional(),
    provider: z.string().optional(),
    dependencies: z.array(z.string()).optional(),
    propertyDependencies: z.record(z.string(), z.array(z.string())).optional(),
    // State the engine reads when it analyzes (resource options; read or pending-delete resources).
    protect: z.boolean().optional(),
    external: z.boolean().optional(),
    delete: z.boolean().optional(),
    ignoreChanges: z.array(z.string()).optional(),
    additionalSecretOutputs: z.array(z.string()).optional(),
    aliases: z.array(z.string()).optional(),
    customTimeouts: z.object({ create: z.number().optional(), update: z.number().optional(), delete: z.number().optional() }).optional(),
});

const exportSchema = z.object({
    version: z.literal(3, { error: "only deployment version 3 (pulumi stack export) is supported" }),
    deployment: z.object({
        manifest: z.unknown().optional(),
        resources: z.array(resourceSchema).optional(),
    }),
});

/** Reads and validates a `pulumi stack export` file. */
export function readStateFile(file: string): StackExport {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new InputError(`cannot read --state ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    return parseStateExport(text, file);
}

export function parseStateExport(text: string, file = "state"): StackExport {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (e) {
        throw new InputError(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    const parsed = exportSchema.safeParse(json);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
        throw new InputError(`${file} is not a pulumi stack export${where}: ${issue?.message ?? "invalid"}`);
    }
    const resources = (parsed.data.deployment.resources ?? []).map((r) => ({
        ...r,
        custom: r.custom ?? false,
        inputs: r.inputs ?? {},
        outputs: r.outputs ?? {},
    }));
    return {
        version: 3,
        deployment: { manifest: { time: "", magic: "", version: "" }, resources },
    };
}

/** Runs the program for `stack` under mocks (the same run as `npm run plan`). */
export async function planStackExport(stack: string): Promise<StackExport> {
    // Loaded lazily: the program and its providers are heavy, and --state does not need them.
    // require, not import(): `npm run check` runs with tsx's CommonJS hooks only (see package.json).
    const plan = require("../../infra/plan") as typeof import("../../infra/plan");
    try {
        return (await plan.planStack(stack)).export;
    } catch (e) {
        if (e instanceof plan.PlanError) throw new InputError(e.message);
        throw e;
    }
}
