import { randomUUID } from "node:crypto";
import { NotConfirmedError, oneLine, RefusedError, StepFailedError } from "../errors";
import { AuditLog } from "./audit";
import type { Io } from "./io";
import { StateFile, type RunState } from "./stateFile";

export type Facts = Record<string, unknown>;

export interface StepContext {
    /** Facts recorded by earlier steps of this run (kept across a crash). */
    facts: Facts;
    /** A progress line while the step works. */
    progress(line: string): void;
}

/** One step of a runbook action: idempotent, so re-running it after a crash is safe. */
export interface Step {
    id: string;
    /** What the step does, as printed in the numbered plan. */
    title: string;
    /** Which system the step reads or changes. */
    touches: string;
    /** On resume: true when the effect of an earlier, completed run of this step still holds. */
    holds?(ctx: StepContext): Promise<boolean>;
    /** Does the work; returns facts to record. Throws RefusedError to stop without a change. */
    run(ctx: StepContext): Promise<Facts | void>;
}

export interface Plan {
    /** The command as the operator typed it, e.g. `failover --to gcp`: a resumed run must match it. */
    command: string;
    steps: Step[];
}

export interface RunOptions {
    stack: string;
    stateFile: StateFile;
    audit: AuditLog;
    io: Io;
    dryRun: boolean;
    yes: boolean;
    /** Discard an unfinished run of another command instead of refusing. */
    discardUnfinished: boolean;
    now?: () => Date;
}

export interface RunResult {
    runId: string;
    resumed: boolean;
    dryRun: boolean;
    facts: Facts;
    steps: { id: string; ms: number | null; outcome: "done" | "skipped" | "planned" }[];
    startedAt: string;
    stateFile: string;
}

/** The numbered steps, as `--dry-run` and the confirmation print them. */
export function renderPlan(plan: Plan, stack: string, done: Set<string> = new Set()): string {
    const lines = [`${plan.command} on stack ${stack}:`];
    plan.steps.forEach((step, i) => {
        lines.push(`  ${i + 1}. ${step.title}${done.has(step.id) ? "  (done earlier: re-checked, then skipped if it still holds)" : ""}`);
        lines.push(`     touches: ${step.touches}`);
    });
    return lines.join("\n");
}

/**
 * Runs a plan as a state machine: `running:<step>` for each step in order, then `done`; a
 * failure leaves `failed:<step>` and the next run of the same command resumes there, after
 * re-checking that what earlier steps did still holds. Every transition is written to the state
 * file (atomically) and to the audit log (append-only) with its duration.
 */
export async function runPlan(plan: Plan, o: RunOptions): Promise<RunResult> {
    const now = o.now ?? (() => new Date());
    let state = o.stateFile.read();
    if (state && state.state !== "done" && state.command !== plan.command) {
        if (!o.discardUnfinished) {
            throw new RefusedError(`an unfinished "${state.command}" (${state.state}, started ${state.startedAt}) holds ${o.stateFile.file}`,
                `run "${state.command}" again to finish it, or pass --discard-unfinished`);
        }
        if (!o.dryRun) {
            o.audit.append({ event: "run-discarded", stack: o.stack, runId: state.runId, command: state.command, from: state.state });
            o.stateFile.archive(state);
        }
        state = undefined;
    }
    if (state?.state === "done") {
        if (!o.dryRun) o.stateFile.archive(state);
        state = undefined;
    }
    const resumed = state !== undefined;
    const done = new Set(Object.entries(state?.steps ?? {}).filter(([, s]) => s.state === "done").map(([id]) => id));

    o.io.err(renderPlan(plan, o.stack, done));
    if (o.dryRun) {
        o.io.err("dry run: nothing was changed.");
        return { runId: state?.runId ?? "dry-run", resumed, dryRun: true, facts: state?.facts ?? {}, steps: plan.steps.map((s) => ({ id: s.id, ms: null, outcome: "planned" })), startedAt: now().toISOString(), stateFile: o.stateFile.file };
    }
    if (!o.yes && !(await o.io.confirm(resumed ? `Resume "${plan.command}" on stack ${o.stack}?` : `Run "${plan.command}" on stack ${o.stack}?`))) {
        throw new NotConfirmedError();
    }

    const run: RunState = state ?? {
        version: 1,
        runId: `${now().toISOString().replace(/[:.]/g, "")}-${randomUUID().slice(0, 8)}`,
        stack: o.stack,
        command: plan.command,
        state: "planned",
        startedAt: now().toISOString(),
        updatedAt: now().toISOString(),
        steps: {},
        facts: {},
        transitions: [],
    };
    const base = { stack: o.stack, runId: run.runId, command: plan.command };
    const transition = (to: string) => {
        run.transitions.push({ at: now().toISOString(), from: run.state, to });
        run.state = to;
        run.updatedAt = now().toISOString();
        o.stateFile.write(run);
    };
    o.audit.append({ ...base, event: resumed ? "run-resume" : "run-start", from: run.state });
    if (!resumed) transition("planned");

    const ctx: StepContext = { facts: run.facts, progress: (line) => o.io.err(`     ${line}`) };
    const outcomes: RunResult["steps"] = [];
    for (const [i, step] of plan.steps.entries()) {
        const label = `[${i + 1}/${plan.steps.length}] ${step.title}`;
        if (done.has(step.id) && (step.holds === undefined || (await safeHolds(step, ctx)))) {
            o.io.err(`${label}: done earlier, still holds`);
            o.audit.append({ ...base, event: "step-skip", step: step.id });
            outcomes.push({ id: step.id, ms: null, outcome: "skipped" });
            continue;
        }
        o.io.err(`${label} ...`);
        const started = Date.now();
        run.steps[step.id] = { state: "running", startedAt: now().toISOString() };
        transition(`running:${step.id}`);
        o.audit.append({ ...base, event: "step-start", step: step.id });
        try {
            const facts = (await step.run(ctx)) ?? {};
            Object.assign(run.facts, facts);
            const ms = Date.now() - started;
            run.steps[step.id] = { state: "done", startedAt: run.steps[step.id]!.startedAt, finishedAt: now().toISOString(), ms };
            o.audit.append({ ...base, event: "step-done", step: step.id, ms, facts });
            o.stateFile.write(run);
            o.io.err(`     done in ${(ms / 1000).toFixed(1)} s`);
            outcomes.push({ id: step.id, ms, outcome: "done" });
        } catch (error) {
            const ms = Date.now() - started;
            run.steps[step.id] = { state: "failed", startedAt: run.steps[step.id]!.startedAt, finishedAt: now().toISOString(), ms, error: oneLine(error) };
            transition(`failed:${step.id}`);
            o.audit.append({ ...base, event: "step-failed", step: step.id, ms, error: oneLine(error) });
            o.audit.append({ ...base, event: "run-failed", step: step.id });
            if (error instanceof RefusedError) {
                // Refused before anything changed: no run to resume.
                if (!Object.values(run.steps).some((s) => s.state === "done")) o.stateFile.archive(run);
                throw error;
            }
            throw new StepFailedError(step.id, oneLine(error), o.stateFile.file);
        }
    }
    transition("done");
    o.audit.append({ ...base, event: "run-done", ms: Date.now() - Date.parse(run.startedAt), facts: run.facts });
    return { runId: run.runId, resumed, dryRun: false, facts: run.facts, steps: outcomes, startedAt: run.startedAt, stateFile: o.stateFile.file };
}

/** A re-check that cannot answer counts as "does not hold": the step runs again (it is idempotent). */
async function safeHolds(step: Step, ctx: StepContext): Promise<boolean> {
    try {
        return await step.holds!(ctx);
    } catch {
        return false;
    }
}
