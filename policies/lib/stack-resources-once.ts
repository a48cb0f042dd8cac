/**
 * @pulumi/policy's AnalyzeStack handler builds the stack's resources (options, provider, property
 * dependencies, parent and dependency links, a proxy per resource) again for every stack policy:
 * with this pack's 38 stack policies that was 38 passes over every resource, most of an
 * AnalyzeStack call's time and the part that grew faster than the stack (3.5 s of CPU for 5,000
 * resources, 1.0 s once built once). This loads the analyzer server with that block built once
 * per request, on the first policy that needs it, and the same list handed to every policy.
 *
 * Policies only read the resources (their properties are already shared between policies: see
 * deserialize-once.ts), so sharing the list changes nothing a policy can see; an error while
 * building is still caught by the policy's own handler, as before. The patch is a text
 * replacement of one block of the installed server.js, applied only when that block is there
 * word for word; otherwise the server loads as it is (slower), and
 * test/policies/pack-patches.test.ts fails so that the patch is revisited.
 */
import * as fs from "node:fs";
import { newModule, type CjsModule } from "./cjs-module";

/** Where the handler, for the policy at hand, starts building the resources. */
const BUILD_START = "                        const intermediates = [];\n                        for (const r of resources) {\n";
/** The first line after the block, where the built list is handed to the policy. */
const HAND_OVER = "                        const args = {\n                            resources: intermediates.map(r => r.resource),\n";
/** Once per request, before the loop over policies. */
const REQUEST_START = "            const resources = req.getResourcesList();\n";
const HANDLER = "function makeAnalyzeStackRpcFun(";

/** server.js with the stack resources built once per request; undefined when its text is not the one this patch knows. */
export function patchServerSource(source: string): string | undefined {
    const handler = source.indexOf(HANDLER);
    if (handler < 0 || source.indexOf(HANDLER, handler + 1) >= 0) return undefined;
    const requestStart = source.indexOf(REQUEST_START, handler);
    const start = source.indexOf(BUILD_START, requestStart);
    const end = source.indexOf(HAND_OVER, start);
    if (requestStart < 0 || start < 0 || end < 0) return undefined;
    // All three inside the stack handler: no other top-level function in between.
    if (source.slice(handler + HANDLER.length, end).includes("\nfunction ")) return undefined;
    const block = source.slice(start, end);
    const builder = [
        "            // Built once per request, on the first stack policy that runs (policies/lib/stack-resources-once.ts).",
        "            let stackResources;",
        "            const buildStackResources = () => {",
        "                if (stackResources !== undefined) return stackResources;",
        block.trimEnd(),
        "                stackResources = intermediates.map(r => r.resource);",
        "                return stackResources;",
        "            };",
        "",
    ].join("\n");
    const afterRequestStart = requestStart + REQUEST_START.length;
    return (
        source.slice(0, afterRequestStart) +
        builder +
        source.slice(afterRequestStart, start) +
        "                        const args = {\n                            resources: buildStackResources(),\n" +
        source.slice(end + HAND_OVER.length)
    );
}

/**
 * Compiles `source` as the module at `filename` (its requires resolve from there). With `cache`,
 * the module is in require's cache while it runs, as Node's loader does: server.js requires
 * modules that require it back (deserialize.js, policy.js), and they must get this one.
 */
export function compileModule(filename: string, source: string, cache: boolean): CjsModule {
    const mod = newModule(filename);
    const cached = require.cache as Record<string, unknown>;
    if (cache) cached[filename] = mod;
    try {
        mod._compile(source, filename);
    } catch (e) {
        if (cache) delete cached[filename];
        throw e;
    }
    mod.loaded = true;
    return mod;
}

/** The installed @pulumi/policy server.js that `fromDir`'s code resolves. */
export function serverPath(fromDir: string = __dirname): string {
    return require.resolve("@pulumi/policy/server", { paths: [fromDir] });
}

/**
 * Installs the patched server before @pulumi/policy loads it, unless it is already loaded or its
 * text is not the one the patch knows. Returns whether it did.
 */
export function buildStackResourcesOnce(fromDir: string = __dirname): boolean {
    const file = serverPath(fromDir);
    if (require.cache[file]) return false;
    const patched = patchServerSource(fs.readFileSync(file, "utf8"));
    if (patched === undefined) return false;
    compileModule(file, patched, true);
    return true;
}
