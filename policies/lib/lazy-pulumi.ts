/**
 * @pulumi/policy requires all of @pulumi/pulumi (its deserializer reads `pulumi.asset` for asset
 * values), and the SDK's index loads every submodule at once: the automation API and closure
 * serialization among them, with npm's arborist and pacote behind them. That was about half of
 * the pack's start, for code a policy pack never runs. This installs, before @pulumi/policy
 * loads, an index with the same exports in the same order whose submodule namespaces (`asset`,
 * `automation`, `runtime`, ...) load on first use; the top-level classes (Resource, Output,
 * Config, errors) load at once as before. It applies only while the index has exactly the shape
 * mirrored here (the same requires); otherwise the SDK loads as it always did
 * (test/policies/pack-patches.test.ts fails when the shape changes).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { newModule } from "./cjs-module";

/** `__export(require(...))` in the index: their exports are copied onto it. */
const STAR = ["./config", "./errors", "./metadata", "./output", "./resource", "./stackReference", "./stash"];
/** `exports.<name> = __importStar(require(...))` in the index. */
const NAMESPACES: Record<string, string> = {
    asset: "./asset",
    automation: "./automation",
    dynamic: "./dynamic",
    iterable: "./iterable",
    log: "./log",
    provider: "./provider",
    runtime: "./runtime",
    utils: "./utils",
};

/** What TypeScript's `__importStar` gives for a module (these are all ES-module shaped: the module itself). */
function importStar(mod: unknown): unknown {
    const m = mod as Record<string, unknown> | null;
    if (m && m["__esModule"]) return m;
    const result: Record<string, unknown> = { default: mod };
    if (m) for (const k of Object.keys(m)) result[k] = m[k];
    return result;
}

/** The index's require() targets, in order of appearance. */
export function indexRequires(source: string): string[] {
    return [...source.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1] as string);
}

/** The require() targets the lazy index mirrors, in the index's order. */
export const MIRRORED_REQUIRES = [...STAR, ...Object.values(NAMESPACES)];

/**
 * Installs the lazy index of the @pulumi/pulumi that `fromDir`'s code resolves, unless that is
 * already loaded or has another shape. Returns whether it did.
 */
export function loadPulumiLazily(fromDir: string = path.dirname(require.resolve("@pulumi/policy"))): boolean {
    const indexPath = require.resolve("@pulumi/pulumi", { paths: [fromDir] });
    if (require.cache[indexPath]) return false;
    const source = fs.readFileSync(indexPath, "utf8");
    if (indexRequires(source).join("\n") !== MIRRORED_REQUIRES.join("\n") || !source.includes("exports.deploymentOnlyModule = true;")) return false;

    const index = newModule(indexPath);
    const api = index.exports;
    Object.defineProperty(api, "__esModule", { value: true });
    for (const rel of STAR) {
        const mod = index.require(rel) as Record<string, unknown>;
        for (const name in mod) if (!Object.prototype.hasOwnProperty.call(api, name)) api[name] = mod[name];
    }
    for (const [name, rel] of Object.entries(NAMESPACES)) {
        Object.defineProperty(api, name, {
            enumerable: true,
            configurable: true,
            get() {
                const value = importStar(index.require(rel));
                Object.defineProperty(api, name, { value, enumerable: true, writable: true, configurable: true });
                return value;
            },
        });
    }
    api["deploymentOnlyModule"] = true;
    index.loaded = true;
    (require.cache as Record<string, unknown>)[indexPath] = index;
    return true;
}
