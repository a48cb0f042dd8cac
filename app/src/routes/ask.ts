import type { FastifyPluginAsync } from "fastify";
import type { AnswerService } from "../answer/service";
import { errorResponses, MEANINGFUL_TEXT } from "./schemas";

/** Longer questions are refused: they cost embedding and LLM time without helping retrieval. */
export const MAX_QUESTION_CHARS = 4_000;

export const askRoute: FastifyPluginAsync<{ answers: AnswerService }> = async (app, { answers }) => {
    app.post<{ Body: { question: string } }>(
        "/v1/ask",
        {
            config: { scope: "read" },
            schema: {
                body: {
                    type: "object",
                    additionalProperties: false,
                    required: ["question"],
                    properties: { question: { type: "string", minLength: 1, maxLength: MAX_QUESTION_CHARS, pattern: MEANINGFUL_TEXT } },
                },
                response: {
                    200: {
                        type: "object",
                        required: ["answer", "answeredBy", "sources", "degraded"],
                        properties: {
                            answer: { type: "string" },
                            answeredBy: { type: "string" },
                            sources: {
                                type: "array",
                                items: {
                                    type: "object",
                                    required: ["id", "chunk", "passage", "score"],
                                    properties: {
                                        id: { type: "string" },
                                        chunk: { type: "integer" },
                                        passage: { type: "string" },
                                        score: { type: "number" },
                                        metadata: { type: "object", additionalProperties: true },
                                    },
                                },
                            },
                            degraded: { type: "array", items: { type: "string" } },
                        },
                    },
                    ...errorResponses,
                },
            },
        },
        async (request) => answers.ask(request.body.question),
    );
};
