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

/**
 * Text worth storing or asking: at least one letter or digit. Whitespace, zero-width and other
 * format characters alone embed to an all-zero vector that nothing can retrieve.
 */
export const MEANINGFUL_TEXT = "[\\p{L}\\p{N}]";

/** Bounds of a document's metadata, so a hostile body is a clean 400 before anything handles it. */
export const METADATA_LIMITS = {
    /** Nesting, counting the metadata object itself as 1. */
    depth: 4,
    keysPerObject: 32,
    keyChars: 64,
    itemsPerArray: 64,
    stringChars: 2_000,
    /** Of the metadata as JSON; checked by the route (a schema cannot count bytes). */
    jsonBytes: 16_384,
} as const;

const scalars = [{ type: "string", maxLength: METADATA_LIMITS.stringChars }, { type: "number" }, { type: "boolean" }, { type: "null" }] as const;

function objectOf(values: object): object {
    return {
        type: "object",
        maxProperties: METADATA_LIMITS.keysPerObject,
        propertyNames: { minLength: 1, maxLength: METADATA_LIMITS.keyChars },
        additionalProperties: values,
    };
}

/** A metadata value `levels` below the deepest allowed object: scalars at the bottom. */
function valueSchema(levels: number): object {
    if (levels === 0) return { anyOf: scalars };
    const inner = valueSchema(levels - 1);
    return { anyOf: [...scalars, { type: "array", maxItems: METADATA_LIMITS.itemsPerArray, items: inner }, objectOf(inner)] };
}

/**
 * Metadata: an object of strings, finite numbers (JSON's 1e999 parses to Infinity and is
 * refused, not stored as null), booleans, null, arrays and objects, nested at most
 * METADATA_LIMITS.depth deep.
 */
export const metadataSchema = objectOf(valueSchema(METADATA_LIMITS.depth - 1));
