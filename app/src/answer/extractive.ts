import { tokenize } from "../embeddings/lexical";
import type { ScoredChunk } from "../vectorstore/types";

const MAX_SENTENCES = 3;
const MAX_CHARS = 700;

export const NO_MATCH = "No passage in the knowledge base matches the question.";

interface Candidate {
    sentence: string;
    score: number;
    order: number;
}

/**
 * The last step of the fallback chain, with no LLM: the sentences of the retrieved passages
 * that share the most words with the question, weighted by their passage's retrieval score,
 * quoted in reading order. Plain, but always available and never invented.
 */
export function extractiveAnswer(question: string, passages: ScoredChunk[]): string {
    const wanted = new Set(tokenize(question));
    const candidates: Candidate[] = [];
    passages.forEach((passage, p) => {
        const sentences = passage.text.match(/[^.!?\n]+[.!?]*/g) ?? [];
        sentences.forEach((raw, s) => {
            const sentence = raw.trim();
            const words = tokenize(sentence);
            if (words.length === 0) return;
            const overlap = new Set(words.filter((w) => wanted.has(w))).size;
            if (overlap === 0) return;
            candidates.push({ sentence, score: (overlap / Math.sqrt(words.length)) * passage.score, order: p * 10_000 + s });
        });
    });
    if (candidates.length === 0) {
        return passages.length ? passages[0].text.slice(0, MAX_CHARS).trim() : NO_MATCH;
    }
    const chosen: Candidate[] = [];
    let length = 0;
    for (const c of candidates.sort((a, b) => b.score - a.score)) {
        if (chosen.length === MAX_SENTENCES || length + c.sentence.length > MAX_CHARS) break;
        chosen.push(c);
        length += c.sentence.length + 1;
    }
    if (chosen.length === 0) chosen.push(candidates[0]);
    return chosen
        .sort((a, b) => a.order - b.order)
        .map((c) => c.sentence)
        .join(" ")
        .slice(0, MAX_CHARS);
}
