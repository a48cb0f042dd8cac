import { lexicalSparseVector } from "../embeddings/lexical";
import type { ChunkWithVector } from "../vectorstore/types";

/**
 * A chunk from a journal entry or a snapshot set, as this version stores it. Entries written
 * before named vectors carry one `vector` (the old 512-wide lexical hash) and no sparse vector:
 * the old field is dropped and the sparse vector made from the text, which is all it ever was
 * derived from. A dense vector is passed on with its space; a store in another space ignores it.
 */
export function applicableChunk(chunk: ChunkWithVector & { vector?: unknown }): ChunkWithVector {
    const { vector: _legacy, ...rest } = chunk;
    return rest.sparse ? rest : { ...rest, sparse: lexicalSparseVector(rest.text) };
}
