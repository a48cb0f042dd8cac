import * as path from "node:path";

/**
 * Node's CommonJS module, as far as the pack's load-time patches use it (lazy-pulumi.ts,
 * stack-resources-once.ts): @types/node types it only in part (no cache entries by hand).
 */
export interface CjsModule {
    exports: Record<string, unknown>;
    filename: string;
    paths: string[];
    loaded: boolean;
    require(id: string): unknown;
    _compile(source: string, filename: string): void;
}

const NodeModule = require("node:module") as {
    new (id: string, parent?: unknown): CjsModule;
    _nodeModulePaths(dir: string): string[];
};

/** A module for `filename` whose requires resolve from the file's folder, as Node's loader makes one. */
export function newModule(filename: string): CjsModule {
    const mod = new NodeModule(filename);
    mod.filename = filename;
    mod.paths = NodeModule._nodeModulePaths(path.dirname(filename));
    return mod;
}
