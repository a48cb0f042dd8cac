import type { Vectorizer } from "../embeddings/vectorizer";
import type { LlmStep } from "../llm/step";
import type { Lifecycle } from "../lifecycle/state";
import type { ReplicationService } from "../replication/service";
import type { BreakerState } from "../resilience/policy";
import type { GuardedVectorStore } from "../vectorstore/guarded";
import { StoreProbe, type StoreProbeOptions } from "./store-probe";

export type ComponentState = "ok" | "degraded" | "down";

export interface ComponentHealth {
    status: ComponentState;
    /** Milliseconds of the probe (vector store) or of the last call (LLMs, which are never probed). */
    latencyMs: number | null;
    detail: string;
    breaker?: BreakerState;
}

export interface RegionHealth {
    status: ComponentState;
    region: string;
    answerPaths: string[];
    components: Record<string, ComponentHealth>;
}

const LLM_STATES: Record<BreakerState, ComponentState> = { closed: "ok", "half-open": "degraded", open: "down" };

/**
 * The health rule, in one place:
 * - readiness (this instance): started and not draining. Nothing shared is consulted: a
 *   dependency every instance shares would fail them all at once and leave the load balancer
 *   with no backend, turning a degraded service into no service.
 * - region health (what DNS failover probes): the vector store can answer, with quorum, which
 *   also guarantees an answer path (the extractive answerer needs nothing else), and, on a
 *   standby, the index is current within the RPO. The store is asked by its own probe, not
 *   through the request path's breaker (StoreProbe): slow is degraded, only a store that cannot
 *   answer is down. The LLM
 *   providers are reported but never fail it: they are shared by both regions, so failing over
 *   would move traffic to a region with the same outage.
 */
export class HealthService {
    private readonly probe: StoreProbe;
    /** The longest /health waits for a running probe (Route53 wants the answer within 2 s of connecting). */
    private readonly responseMs: number;

    constructor(
        private readonly region: string,
        private readonly store: GuardedVectorStore,
        private readonly steps: LlmStep[],
        private readonly lifecycle: Lifecycle,
        private readonly replication: ReplicationService,
        probe: StoreProbeOptions & { responseMs: number },
        private readonly vectorizer?: Vectorizer,
    ) {
        this.probe = new StoreProbe((signal) => store.probe(signal), probe);
        this.responseMs = probe.responseMs;
    }

    readiness(): { ready: boolean; reason: string } {
        if (!this.lifecycle.started) return { ready: false, reason: "starting" };
        if (this.lifecycle.draining) return { ready: false, reason: "draining" };
        return { ready: true, reason: "ok" };
    }

    async regionHealth(): Promise<RegionHealth> {
        const components: Record<string, ComponentHealth> = { vectorstore: await this.probeStore() };
        for (const step of this.steps) {
            const breaker = step.policy.state();
            const quota = step.quotaExhaustedAt;
            components[step.label] = {
                status: quota ? "down" : LLM_STATES[breaker],
                latencyMs: step.lastLatencyMs === undefined ? null : round(step.lastLatencyMs),
                detail: quota ? `quota exhausted since ${quota.toISOString()} (not an outage: add credit or raise the limit)` : `breaker ${breaker}`,
                breaker,
            };
        }
        components.replication = this.replicationHealth();
        if (this.vectorizer) components.embeddings = this.embeddingsHealth(this.vectorizer);
        const storeUp = components.vectorstore.status !== "down";
        const answerPaths = [
            ...this.steps.filter((s) => s.policy.state() !== "open").map((s) => s.label),
            ...(storeUp && this.store.policy.state() !== "open" ? ["extractive"] : []),
        ];
        const draining = this.lifecycle.draining;
        const allOk = Object.values(components).every((c) => c.status === "ok");
        const status: ComponentState = draining || !storeUp || components.replication.status === "down" ? "down" : allOk ? "ok" : "degraded";
        return { status, region: this.region, answerPaths, components };
    }

    /**
     * A standby that is not fit for failover (never caught up, lagging past the RPO, damaged
     * journal) is down: DNS must not send traffic to an empty or stale index. A writer whose
     * journal is not ready is degraded: it still answers, it only refuses writes.
     */
    private replicationHealth(): ComponentHealth {
        const r = this.replication.status();
        const detail = `${r.role}, epoch ${r.epoch}, ${r.reason}${r.lagSeconds === null ? "" : `, lag ${r.lagSeconds} s`}`;
        if (r.role === "standby") return { status: r.fitForFailover ? "ok" : "down", latencyMs: null, detail };
        return { status: this.replication.acceptsWrites() ? "ok" : "degraded", latencyMs: null, detail };
    }

    /**
     * The embedding provider is never probed and never fails the region (sparse retrieval still
     * answers, and the provider is shared by both regions); an open breaker is degraded.
     */
    private embeddingsHealth(vectorizer: Vectorizer): ComponentHealth {
        const breaker = vectorizer.policy?.state();
        if (breaker === undefined) return { status: "ok", latencyMs: null, detail: vectorizer.describe() };
        const status = LLM_STATES[breaker] === "down" ? "degraded" : LLM_STATES[breaker];
        return { status, latencyMs: null, detail: `${vectorizer.describe()}; breaker ${breaker}${breaker === "closed" ? "" : ": sparse only meanwhile"}`, breaker };
    }

    /**
     * The probe's verdict with the request path's breaker beside it. An open breaker over a store
     * the probe reaches is degraded, not down: the breaker half-opens on its own and the region
     * still serves; a real outage fails the probe too.
     */
    private async probeStore(): Promise<ComponentHealth> {
        const verdict = await this.probe.verdict(this.responseMs);
        const breaker = this.store.policy.state();
        if (verdict.status === "ok" && breaker !== "closed") {
            return { ...verdict, status: "degraded", detail: `${verdict.detail}; request breaker ${breaker}`, breaker };
        }
        return { ...verdict, breaker };
    }
}

function round(ms: number): number {
    return Math.round(ms * 100) / 100;
}
