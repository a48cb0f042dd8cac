import { createHash } from "node:crypto";

/** A document's id when the client gives none: a digest of its text, so the same text maps to the same id. */
export function documentIdFor(text: string): string {
    return `sha256-${createHash("sha256").update(text).digest("hex").slice(0, 32)}`;
}

/**
 * A chunk's point id: a name-based UUID (RFC 9562 version 8 layout, SHA-256 of document id and
 * chunk index). Qdrant only accepts integers and UUIDs; a stable one makes re-ingesting an
 * upsert of the same points instead of a pile of duplicates.
 */
export function chunkIdFor(docId: string, chunkIndex: number): string {
    const bytes = createHash("sha256").update(`${docId}\u0000${chunkIndex}`).digest().subarray(0, 16);
    bytes[6] = (bytes[6] & 0x0f) | 0x80; // version 8
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC variant
    const hex = bytes.toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
