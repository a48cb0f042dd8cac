import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { DEFAULT_MODELS } from "../../app/src/config/env-schema";
import { checkModel } from "../../app/src/llm/model-check";
import { LlmStandIn, type LlmApi } from "./support/llm-stand-in";
import { spawnServer, spawnService } from "./support/process";
import { freshDataDir } from "./support/service";

const APIS: LlmApi[] = ["openai", "anthropic", "google"];

describe("model ids are checked with the provider at start", () => {
    const standIns = Object.fromEntries(APIS.map((api) => [api, new LlmStandIn(api)])) as Record<LlmApi, LlmStandIn>;
    before(async () => {
        for (const s of Object.values(standIns)) await s.start();
    });
    after(async () => {
        for (const s of Object.values(standIns)) await s.stop();
    });

    for (const api of APIS) {
        it(`${api}: the default model is known; a retired id is a configuration error; an unreachable API is not`, async () => {
            const standIn = standIns[api];
            const llm = { provider: api, apiKey: "k", model: DEFAULT_MODELS[api], baseUrl: standIn.baseUrl };
            assert.deepEqual(await checkModel(llm, 2_000), { ok: true });
            const retired = await checkModel({ ...llm, model: "retired-model-1" }, 2_000);
            assert.deepEqual(retired, {
                ok: false,
                fatal: true,
                line: `${api.toUpperCase()}_MODEL: ${api} does not know the model "retired-model-1" (404); set a current model id`,
            });
            const down = await checkModel({ ...llm, baseUrl: "http://127.0.0.1:9" }, 2_000);
            assert.equal(down.ok, false);
            assert.equal(!down.ok && down.fatal, false, "an unreachable provider does not stop the service");
        });
    }

    it("the service exits 2 with one line naming the variable when a configured model is unknown", async () => {
        const child = spawnServer({ ...standIns.anthropic.envFor("primary"), ANTHROPIC_MODEL: "claude-3-5-haiku-latest", DATA_DIR: freshDataDir(), PORT: "0", ADMIN_PORT: "0" });
        let stderr = "";
        child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
        const [code] = await once(child, "exit");
        assert.equal(code, 2);
        assert.equal(stderr.trim(), 'config error: ANTHROPIC_MODEL: anthropic does not know the model "claude-3-5-haiku-latest" (404); set a current model id');
    });

    it("the service starts when the provider cannot be asked, and says so", async () => {
        const service = await spawnService({ LLM_PRIMARY: "openai", OPENAI_API_KEY: "k", OPENAI_BASE_URL: "http://127.0.0.1:9/v1", DATA_DIR: freshDataDir() });
        service.child.kill("SIGTERM");
        assert.equal(await service.exited, 0);
    });
});
