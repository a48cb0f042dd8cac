/**
 * `npm run bench`: runs every test/bench/*.bench.ts in its own process, one after another,
 * so that no bench competes with another for the two cores.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const only = process.argv.slice(2);
const benches = fs.readdirSync(__dirname)
    .filter((f) => f.endsWith(".bench.ts"))
    .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
    .sort();
if (benches.length === 0) {
    console.error(`bench: no bench matches ${only.join(", ")}`);
    process.exit(2);
}
let failed = 0;
for (const bench of benches) {
    console.log(`\n=== ${bench}`);
    const started = Date.now();
    const r = spawnSync(process.execPath, ["--import", "tsx", path.join(__dirname, bench)], { stdio: "inherit" });
    console.log(`=== ${bench}: ${r.status === 0 ? "done" : `FAILED (exit ${r.status})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
