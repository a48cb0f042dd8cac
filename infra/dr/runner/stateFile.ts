import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { InputError } from "../errors";

const stepRecord = z.object({
    state: z.enum(["running", "done", "failed"]),
    startedAt: z.string(),
    finishedAt: z.string().optional(),
    ms: z.number().optional(),
    error: z.string().optional(),
});

/** The run's state: which named state it is in and how it got there. Read by operators too. */
export const runStateSchema = z.object({
    version: z.literal(1),
    runId: z.string(),
    stack: z.string(),
    command: z.string(),
    /** `running:<step>`, `failed:<step>` or `done`. */
    state: z.string(),
    startedAt: z.string(),
    updatedAt: z.string(),
    steps: z.record(z.string(), stepRecord),
    facts: z.record(z.string(), z.unknown()),
    transitions: z.array(z.object({ at: z.string(), from: z.string(), to: z.string() })),
});

export type RunState = z.infer<typeof runStateSchema>;

/** One state file per stack: at most one runbook action runs against a stack at a time. */
export class StateFile {
    constructor(readonly file: string) {}

    static forStack(stateDir: string, stack: string): StateFile {
        return new StateFile(path.join(stateDir, `${stack}.state.json`));
    }

    read(): RunState | undefined {
        if (!fs.existsSync(this.file)) return undefined;
        const parsed = runStateSchema.safeParse(JSON.parse(fs.readFileSync(this.file, "utf8")));
        if (!parsed.success) throw new InputError(`state file ${this.file} is not a runbook state file`, "move it aside if it is not needed");
        return parsed.data;
    }

    /** Written to a temporary file and renamed, so a crash never leaves half a state. */
    write(state: RunState): void {
        fs.mkdirSync(path.dirname(this.file), { recursive: true });
        const tmp = `${this.file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
        fs.renameSync(tmp, this.file);
    }

    /** Keeps a finished or discarded run beside the current one, for the incident review. */
    archive(state: RunState): void {
        const target = path.join(path.dirname(this.file), `${state.stack}.${state.runId}.state.json`);
        fs.renameSync(this.file, target);
    }
}
