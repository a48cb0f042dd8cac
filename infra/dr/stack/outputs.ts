import * as fs from "node:fs";
import { z } from "zod";
import { InputError } from "../errors";
import { SIDES, type Side } from "../sides";

const perSide = <T extends z.ZodType>(value: T) => z.object({ aws: value, gcp: value });

/**
 * What the runbook needs from `pulumi stack output --json --show-secrets` (infra/program.ts
 * returns it). Only these fields are read; others are ignored. The replication block is added
 * by the replication infra; until a stack has it, commands that need it say so and stop.
 */
export const stackOutputsSchema = z.object({
    environment: z.string().min(1),
    activeSide: z.enum(SIDES),
    drMode: z.enum(["warm", "pilot-light"]),
    domain: z.string().min(1),
    hostedZoneId: z.string().min(1),
    regionalNames: perSide(z.string().min(1)),
    healthCheckIds: perSide(z.string().min(1)),
    kubeconfigs: perSide(z.string().min(1)),
    namespace: z.string().min(1),
    appDeployment: z.string().min(1),
    appReplicas: z.object({ active: z.number().int().min(0), standby: z.number().int().min(0) }),
    rtoTargetSeconds: z.number().positive(),
    rpoTargetMinutes: z.number().positive(),
    replication: z
        .object({
            /** Each side's own journal (`s3://...`, `gs://...`, `file://...`). */
            journals: perSide(z.string().min(1)),
            /** Per side: where it writes snapshot sets first, then where it finds the other side's. */
            snapshotSets: perSide(z.array(z.string().min(1)).min(1)),
            /** The follower Deployment on each side. */
            followers: perSide(z.string().min(1)).optional(),
            /** The Kubernetes Secret (in `namespace`, on each cluster) and its key holding the admin token. */
            adminToken: z.object({ secretName: z.string().min(1), key: z.string().min(1) }).optional(),
        })
        .optional(),
});

export type StackOutputs = z.infer<typeof stackOutputsSchema>;
export type ReplicationOutputs = NonNullable<StackOutputs["replication"]>;

/** Validates parsed outputs; every problem is named by its field. */
export function parseStackOutputs(raw: unknown, source: string): StackOutputs {
    const parsed = stackOutputsSchema.safeParse(raw);
    if (!parsed.success) {
        const fields = parsed.error.issues.map((i) => `${i.path.join(".") || "(root)"} ${i.message.toLowerCase()}`);
        throw new InputError(`${source} is not a stack outputs file: ${fields.slice(0, 3).join("; ")}${fields.length > 3 ? ` (+${fields.length - 3} more)` : ""}`,
            "write it with: pulumi stack output --json --show-secrets --stack <stack> > outputs.json");
    }
    return parsed.data;
}

/** Reads a `pulumi stack output --json --show-secrets` file. */
export function readOutputsFile(file: string): StackOutputs {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new InputError(`cannot read outputs file ${file}: ${code === "ENOENT" ? "no such file" : code ?? String(error)}`,
            "write it with: pulumi stack output --json --show-secrets --stack <stack> > outputs.json");
    }
    let raw: unknown;
    try {
        raw = JSON.parse(text);
    } catch (error) {
        throw new InputError(`outputs file ${file} is not JSON: ${(error as Error).message}`);
    }
    if (typeof raw === "object" && raw !== null && JSON.stringify(raw).includes("[secret]")) {
        throw new InputError(`outputs file ${file} holds "[secret]" placeholders`, "write it with --show-secrets so the kubeconfigs are readable");
    }
    return parseStackOutputs(raw, `outputs file ${file}`);
}

/** The replication outputs, or a clear stop when the stack does not have them yet. */
export function requireReplication(outputs: StackOutputs, command: string): ReplicationOutputs {
    if (outputs.replication === undefined) {
        throw new InputError(`${command} needs the stack's replication outputs (replication.journals, replication.snapshotSets), which stack ${outputs.environment} does not export`,
            "deploy the replication infrastructure first (pulumi up), then export the outputs again");
    }
    return outputs.replication;
}

export function sideOf(outputs: StackOutputs, side: Side) {
    return {
        side,
        regionalName: outputs.regionalNames[side],
        healthCheckId: outputs.healthCheckIds[side],
        kubeconfig: outputs.kubeconfigs[side],
    };
}
