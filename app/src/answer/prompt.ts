import { HumanMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import type { ScoredChunk } from "../vectorstore/types";

/** Prepended to answers given while the knowledge base cannot be searched. */
export const KNOWLEDGE_BASE_UNAVAILABLE =
    "The knowledge base is unavailable right now, so this answer comes from the language model alone and cites no sources.";

const GROUNDED = [
    "You answer questions using only the numbered passages provided.",
    "Cite passages by their number in square brackets, like [1].",
    "If the passages do not contain the answer, say so plainly instead of guessing.",
    "Be concise.",
].join(" ");

const UNGROUNDED = [
    "The knowledge base is unavailable, so no passages can be provided.",
    "Answer from general knowledge, say that the knowledge base could not be consulted,",
    "and say so plainly if you are unsure. Be concise.",
].join(" ");

/** Messages for the LLM: grounded in passages, or explicitly ungrounded when retrieval failed. */
export function buildMessages(question: string, passages: ScoredChunk[] | undefined): BaseMessage[] {
    if (passages === undefined) {
        return [new SystemMessage(UNGROUNDED), new HumanMessage(`Question: ${question}`)];
    }
    const context = passages.length
        ? passages.map((p, i) => `[${i + 1}] (document ${p.docId})\n${p.text}`).join("\n\n")
        : "(no passages matched the question)";
    return [new SystemMessage(GROUNDED), new HumanMessage(`Passages:\n${context}\n\nQuestion: ${question}`)];
}
