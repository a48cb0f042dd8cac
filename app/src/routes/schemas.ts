/** JSON Schemas shared by several routes. */

const errorResponse = {
    type: "object",
    properties: {
        error: { type: "string" },
        message: { type: "string" },
        requestId: { type: "string" },
    },
    required: ["error", "message"],
} as const;

/** Every status a route may answer with besides its success. */
export const errorResponses = {
    "4xx": errorResponse,
    "5xx": errorResponse,
} as const;
