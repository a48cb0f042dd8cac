import { applyConfigChange } from "../stack/config";
import type { StackOutputs } from "../stack/outputs";
import { RefusedError, oneLine } from "../errors";
import { otherSide, type Side } from "../sides";
import type { Facts, Plan, Step } from "../runner/machine";
import { PromoteConflict, type Adapters, type ReplicationStatus } from "../adapters/types";
import { waitFor } from "./wait";

export type PromoteMode = "auto" | "planned" | "unplanned";

export interface SwitchInputs {
    kind: "failover" | "failback";
    stack: string;
    target: Side;
    outputs: StackOutputs;
    adapters: Adapters;
    /** The stack's RPO in seconds: a follower lagging more is not fit for failover. */
    rpoSeconds: number;
    rtoTargetSeconds: number;
    mode: PromoteMode;
    acceptDataLoss: boolean;
    /** When the outage began, for the RTO; defaults to the run's start. */
    incidentStart?: Date;
    writeConfig: boolean;
    stacksDir?: string;
    scaleTimeoutMs: number;
    dnsTimeoutMs: number;
    pollMs: number;
}

const describeLag = (r: ReplicationStatus) =>
    `position ${pos(r.position)}, head ${pos(r.head)}, lag ${r.lagSeconds === null ? "unknown" : `${r.lagSeconds.toFixed(1)} s`}`;
const pos = (p: ReplicationStatus["position"]) => (p ? `e${p.epoch}/${p.seq}` : "none");
const isWriter = (r: ReplicationStatus) => r.role === "active" && !r.fenced;

/**
 * Failover and failback are one sequence towards a target side: pre-flight, scale the target
 * to full capacity, promote it (new epoch, fencing the old writer), make it Route53's PRIMARY,
 * verify through Route53's answer and the target's /health, then record the new active side in
 * the stack config. Only the target's cluster and service, Route53's global API and the target
 * cloud's journal copy (read by the service itself) are needed: never the failed side.
 * Failback additionally requires the target to have replayed everything, promotes only in
 * planned mode, and returns the side it leaves to standby capacity.
 */
export function switchPlan(i: SwitchInputs): Plan {
    const { adapters, outputs, target } = i;
    const source = otherSide(target);
    const app = outputs.appDeployment;
    const fullCapacity = outputs.appReplicas.active;
    const service = () => adapters.service(target);

    const preflight: Step = {
        id: "preflight",
        title: `Pre-flight: ${target} cluster reachable, its follower caught up (RPO ${i.rpoSeconds} s), its /health, Route53 readable`,
        touches: `${target} Kubernetes API (read), ${target} service /v1/replication and /health, Route53 (read)`,
        async run(ctx) {
            let deployment;
            try {
                deployment = await adapters.cluster(target).deployment(app);
            } catch (error) {
                throw new RefusedError(`target not ready: the ${target} cluster is unreachable (${oneLine(error)})`);
            }
            if (deployment === undefined) throw new RefusedError(`target not ready: no Deployment ${outputs.namespace}/${app} on ${target}`);
            let records;
            try {
                records = await adapters.dns().records();
            } catch (error) {
                throw new RefusedError(`Route53 is not readable: ${oneLine(error)}`);
            }
            let replication: ReplicationStatus;
            try {
                replication = await service().replication();
            } catch (error) {
                // Pilot light: no pod serves yet; the follower's state is checked after scale-up.
                if (deployment.replicas === 0) {
                    ctx.progress(`${target} serves no pod yet (pilot light): replication is checked after scale-up`);
                    return { replicationDeferred: true, dnsPrimaryBefore: records.primary };
                }
                throw new RefusedError(`target not ready: ${oneLine(error)}`);
            }
            const facts = checkReplication(i, replication, ctx.progress);
            if (!isWriter(replication)) {
                const health = await service().health().catch((error: unknown) => ({ httpStatus: 0, body: { error: oneLine(error) } }));
                if (health.httpStatus !== 200 && !i.acceptDataLoss) {
                    throw new RefusedError(`target not ready: ${target} /health answered ${health.httpStatus || "nothing"} (${JSON.stringify(health.body).slice(0, 160)})`,
                        "wait until it is healthy, or pass --accept-data-loss to fail over to it anyway");
                }
            }
            return { ...facts, dnsPrimaryBefore: records.primary };
        },
    };

    const scaleTarget: Step = {
        id: "scale-target",
        title: `Scale ${target} Deployment ${app} to full capacity (${fullCapacity} replicas) and wait until ready`,
        touches: `${target} Kubernetes API: Deployment ${app} replicas, its HorizontalPodAutoscaler floor`,
        async holds() {
            const d = await adapters.cluster(target).deployment(app);
            return d !== undefined && d.replicas >= fullCapacity && d.readyReplicas >= fullCapacity;
        },
        async run(ctx) {
            const cluster = adapters.cluster(target);
            await cluster.setCapacity(app, fullCapacity);
            const ready = await waitFor(`${fullCapacity} ready replicas of ${app} on ${target}`, async () => {
                const d = await cluster.deployment(app);
                return d && d.readyReplicas >= fullCapacity ? d.readyReplicas : undefined;
            }, { timeoutMs: i.scaleTimeoutMs, pollMs: i.pollMs, progress: ctx.progress });
            return { targetReadyReplicas: ready };
        },
    };

    const promote: Step = {
        id: "promote",
        title: `Promote ${target} (POST /admin/v1/promote: new epoch, fences ${source}; ${i.kind === "failback" ? "planned" : i.mode === "auto" ? "planned, unplanned if the old writer is unreachable" : i.mode})`,
        touches: `${target} service admin API; through it, ${target}'s journal and ${source}'s journal or its copy in ${target}`,
        async holds() {
            return isWriter(await service().replication());
        },
        async run(ctx) {
            const before = await service().replication();
            if (ctx.facts.replicationDeferred === true) Object.assign(ctx.facts, checkReplication(i, before, ctx.progress));
            if (isWriter(before)) return { epoch: before.epoch, promoteMode: "already-active", unreplicatedEntries: 0 };
            const mode = i.kind === "failback" ? "planned" : i.mode === "auto" ? "planned" : i.mode;
            try {
                const result = await service().promote(mode);
                return { epoch: result.epoch, promoteMode: result.alreadyActive ? "already-active" : mode, unreplicatedEntries: result.unreplicatedEntries ?? 0, appliedDuringPromotion: result.appliedDuringPromotion ?? 0, fencedPeer: result.fencedPeer ?? false };
            } catch (error) {
                if (!(error instanceof PromoteConflict) || i.kind === "failback" || i.mode !== "auto") {
                    if (error instanceof PromoteConflict) throw new RefusedError(`planned promotion refused: ${error.message}`, i.kind === "failback" ? "the old writer must be reachable for a failback" : "pass --mode unplanned to promote with what the target has");
                    throw error;
                }
                ctx.progress(`the old writer cannot be fenced (${error.message}): promoting unplanned`);
                const result = await service().promote("unplanned");
                return { epoch: result.epoch, promoteMode: "unplanned", unreplicatedEntries: result.unreplicatedEntries ?? null, appliedDuringPromotion: result.appliedDuringPromotion ?? 0, fencedPeer: result.fencedPeer ?? false };
            }
        },
    };

    const targetHealthy: Step = {
        id: "route53-sees-target",
        title: `Wait until Route53's health check of ${target} reads healthy (else the name keeps answering ${source} after the flip)`,
        touches: "Route53 (global API): health-check status, read",
        async run(ctx) {
            await waitFor(`Route53's health check of ${target} to read healthy`, async () => ((await adapters.dns().healthCheck(target)).healthy ? true : undefined),
                { timeoutMs: i.dnsTimeoutMs, pollMs: i.pollMs, progress: ctx.progress });
        },
    };

    const moveDns: Step = {
        id: "move-dns",
        title: `Make ${target} Route53's PRIMARY and ${source} the SECONDARY (one atomic change; Route53 cannot fail back on its own)`,
        touches: "Route53 (global API): the failover records of the service's name",
        async holds() {
            return (await adapters.dns().records()).primary === target;
        },
        async run() {
            const { changed } = await adapters.dns().makePrimary(target);
            return { dnsChanged: changed };
        },
    };

    const verify: Step = {
        id: "verify",
        title: `Verify: Route53 answers ${outputs.regionalNames[target]}, ${target} /health is 200 and it is the writer`,
        touches: `Route53 (TestDNSAnswer), ${target} service /health and /v1/replication`,
        async run(ctx) {
            await waitFor(`Route53 to answer ${outputs.regionalNames[target]}`, async () => {
                const answer = await adapters.dns().answer();
                return answer.includes(outputs.regionalNames[target]) ? answer : undefined;
            }, { timeoutMs: i.dnsTimeoutMs, pollMs: i.pollMs, progress: ctx.progress });
            await waitFor(`${target} /health 200 as the writer`, async () => {
                const [health, replication] = await Promise.all([service().health(), service().replication()]);
                return health.httpStatus === 200 && isWriter(replication) ? true : undefined;
            }, { timeoutMs: i.dnsTimeoutMs, pollMs: i.pollMs, progress: ctx.progress });
            return { verifiedAt: new Date().toISOString() };
        },
    };

    const scaleSourceDown: Step = {
        id: "scale-source-to-standby",
        title: `Return ${source} Deployment ${app} to standby capacity (${outputs.appReplicas.standby} replicas)`,
        touches: `${source} Kubernetes API: Deployment ${app} replicas, its HorizontalPodAutoscaler floor`,
        async run() {
            await adapters.cluster(source).setCapacity(app, outputs.appReplicas.standby);
            return { sourceReplicas: outputs.appReplicas.standby };
        },
    };

    const updateConfig: Step = {
        id: "update-config",
        title: `Record the new active side: langchain-ha:dr.activeSide = ${target} in stacks/Pulumi.${i.stack}.yaml${i.writeConfig ? "" : " (printed, not written)"}`,
        touches: `stacks/Pulumi.${i.stack}.yaml (local file)`,
        async run(ctx) {
            const result = applyConfigChange(i.stack, { activeSide: target }, { write: i.writeConfig, stacksDir: i.stacksDir });
            for (const line of result.lines) ctx.progress(line);
            return { configChange: result.lines, configWritten: result.written };
        },
    };

    // Failback only: fencing the side that serves before Route53 can serve the target would fail writes.
    const steps = [preflight, scaleTarget, ...(i.kind === "failback" ? [targetHealthy] : []), promote, moveDns, verify, ...(i.kind === "failback" ? [scaleSourceDown] : []), updateConfig];
    return { command: i.kind === "failover" ? `failover --to ${target}` : `failback --to ${target}`, steps };
}

/** The pre-flight rule on the target's follower; returns the facts the report states. */
function checkReplication(i: SwitchInputs, r: ReplicationStatus, progress: (line: string) => void): Facts {
    const facts: Facts = { lagSecondsAtPreflight: r.lagSeconds, positionAtPreflight: r.position, headAtPreflight: r.head, epochBefore: r.epoch };
    if (isWriter(r)) {
        progress(`${i.target} already is the writer (epoch ${r.epoch})`);
        return facts;
    }
    if (i.kind === "failback") {
        if (!r.caughtUp || (r.head !== null && (r.position === null || r.position.epoch !== r.head.epoch || r.position.seq < r.head.seq))) {
            throw new RefusedError(`${i.target} has not replayed everything written during the outage (${describeLag(r)})`, "wait and run failback again; status shows the lag");
        }
        return facts;
    }
    const lag = r.lagSeconds;
    if (!r.fitForFailover || lag === null || lag > i.rpoSeconds) {
        const loss = lag === null ? "an unknown window (the follower never caught up)" : `about ${lag.toFixed(0)} s of acknowledged writes`;
        if (!i.acceptDataLoss) {
            throw new RefusedError(`follower on ${i.target} lags beyond the RPO of ${i.rpoSeconds} s (${describeLag(r)}; ${r.reason}): a failover now loses ${loss}`,
                "wait for it to catch up, or pass --accept-data-loss to fail over anyway");
        }
        progress(`accepted: failing over loses ${loss}`);
    } else {
        progress(`${i.target} follower: ${describeLag(r)} (within the RPO of ${i.rpoSeconds} s)`);
    }
    return facts;
}

/** The figures a failover or failback promises: measured RTO and the data window lost. */
export function switchReport(i: SwitchInputs, facts: Facts, startedAt: string) {
    const start = i.incidentStart ?? new Date(startedAt);
    const verifiedAt = typeof facts.verifiedAt === "string" ? new Date(facts.verifiedAt) : new Date();
    const rtoSeconds = Math.max(0, (verifiedAt.getTime() - start.getTime()) / 1000);
    return {
        target: i.target,
        epoch: facts.epoch ?? null,
        promoteMode: facts.promoteMode ?? null,
        rtoSeconds: Math.round(rtoSeconds * 10) / 10,
        rtoMeasuredFrom: i.incidentStart ? "incident start (--incident-start)" : "the run's start",
        rtoTargetSeconds: i.rtoTargetSeconds,
        withinRto: rtoSeconds <= i.rtoTargetSeconds,
        lagSecondsAtPreflight: facts.lagSecondsAtPreflight ?? null,
        unreplicatedEntries: facts.unreplicatedEntries ?? null,
        configChange: facts.configChange ?? [],
    };
}
