import type { FastifyPluginAsync } from "fastify";
import type { IncomingDocument, IngestService } from "../ingest/service";
import { HttpError } from "../resilience/errors";
import { errorResponses, MEANINGFUL_TEXT, metadataSchema, METADATA_LIMITS } from "./schemas";

export interface DocumentsRouteOptions {
    ingest: IngestService;
    maxDocuments: number;
}

const MAX_TEXT_CHARS = 200_000;

export const documentsRoute: FastifyPluginAsync<DocumentsRouteOptions> = async (app, { ingest, maxDocuments }) => {
    app.post<{ Body: { documents: IncomingDocument[] } }>(
        "/v1/documents",
        {
            config: { scope: "write" },
            schema: {
                body: {
                    type: "object",
                    additionalProperties: false,
                    required: ["documents"],
                    properties: {
                        documents: {
                            type: "array",
                            minItems: 1,
                            maxItems: maxDocuments,
                            items: {
                                type: "object",
                                additionalProperties: false,
                                required: ["text"],
                                properties: {
                                    id: { type: "string", minLength: 1, maxLength: 256 },
                                    text: { type: "string", minLength: 1, maxLength: MAX_TEXT_CHARS, pattern: MEANINGFUL_TEXT },
                                    metadata: metadataSchema,
                                },
                            },
                        },
                    },
                },
                response: {
                    200: {
                        type: "object",
                        required: ["documents", "chunks"],
                        properties: {
                            documents: {
                                type: "array",
                                items: {
                                    type: "object",
                                    required: ["id", "chunks"],
                                    properties: { id: { type: "string" }, chunks: { type: "integer" } },
                                },
                            },
                            chunks: { type: "integer" },
                            degraded: { type: "array", items: { type: "string" } },
                        },
                    },
                    ...errorResponses,
                },
            },
        },
        async (request) => {
            const ids = request.body.documents.flatMap((d) => (d.id === undefined ? [] : [d.id]));
            const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
            if (duplicate !== undefined) throw new HttpError(400, `body/documents: id "${duplicate}" appears more than once`);
            for (const [i, d] of request.body.documents.entries()) {
                const bytes = d.metadata === undefined ? 0 : Buffer.byteLength(JSON.stringify(d.metadata));
                if (bytes > METADATA_LIMITS.jsonBytes) throw new HttpError(400, `body/documents/${i}/metadata is ${bytes} bytes as JSON, more than ${METADATA_LIMITS.jsonBytes}`);
            }
            return ingest.ingest(request.body.documents);
        },
    );
};
