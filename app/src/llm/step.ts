import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { BaseMessage } from "@langchain/core/messages";
import { BrokenCircuitError } from "cockatiel";
import type { Provider } from "../config";
import type { Metrics } from "../metrics";
import { isPermanentQuota } from "../resilience/classify";
import type { DependencyPolicy } from "../resilience/policy";

export type Slot = "primary" | "secondary";

export interface LlmReply {
    text: string;
}

/** One link of the fallback chain: a provider's chat model behind that provider's own policy. */
export class LlmStep {
    /** How `degraded` names this step when it could not answer. */
    readonly label: string;
    /** Latency of the last attempt, reported by /health without calling the provider. */
    lastLatencyMs?: number;
    /** Set by a 429 that waiting will not fix (no credit, a spend limit); cleared by the next success. */
    quotaExhaustedAt?: Date;

    constructor(
        slot: Slot,
        readonly provider: Provider,
        private readonly model: BaseChatModel,
        readonly policy: DependencyPolicy,
        private readonly metrics: Metrics,
    ) {
        this.label = `llm-${slot}:${provider}`;
    }

    async invoke(messages: BaseMessage[], signal: AbortSignal): Promise<LlmReply> {
        const provider = this.provider;
        try {
            return await this.policy.execute(async (attemptSignal) => {
                const end = this.metrics.llmDuration.startTimer({ provider });
                try {
                    const message = await this.model.invoke(messages, { signal: attemptSignal });
                    const usage = message.usage_metadata;
                    if (usage) {
                        this.metrics.llmTokens.inc({ provider, kind: "input" }, usage.input_tokens);
                        this.metrics.llmTokens.inc({ provider, kind: "output" }, usage.output_tokens);
                    }
                    const text = message.text.trim();
                    if (text === "") throw new Error(`${provider} returned an empty answer`);
                    this.metrics.llmCalls.inc({ provider, outcome: "success" });
                    this.quotaExhaustedAt = undefined;
                    return { text };
                } catch (error) {
                    const quota = isPermanentQuota(error);
                    if (quota) this.quotaExhaustedAt = new Date();
                    this.metrics.llmCalls.inc({ provider, outcome: quota ? "quota" : "error" });
                    throw error;
                } finally {
                    this.lastLatencyMs = end() * 1000; // the histogram's timer reports seconds
                }
            }, signal);
        } catch (error) {
            if (error instanceof BrokenCircuitError) this.metrics.llmCalls.inc({ provider, outcome: "rejected" });
            throw error;
        }
    }
}
