import * as nodeTest from "node:test";

/**
 * describe/it for the rule suites: mocha's when mocha is loading the file (it sets them as globals
 * before each spec file; `npm run mutation`'s policy-rules area runs these suites in one
 * long-lived mocha process that switches mutants in place), node:test's otherwise (`npm test`).
 * Only the two-argument forms with a synchronous suite body and a test body without a context
 * parameter are used, which both runners take the same way.
 */
type Describe = (name: string, body: () => void) => void;
type It = (name: string, body: () => void | Promise<void>) => void;

const globals = globalThis as { describe?: unknown; it?: unknown };
const underMocha = typeof globals.describe === "function" && typeof globals.it === "function";

export const describe: Describe = underMocha ? (globals.describe as Describe) : (name, body) => void nodeTest.describe(name, body);
export const it: It = underMocha ? (globals.it as It) : (name, body) => void nodeTest.it(name, () => body());
