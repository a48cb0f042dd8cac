import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LlmStandIn } from "./support/llm-stand-in";
import { ask, eventually, getJson, startWithProviders, stopWithProviders, type TestService } from "./support/service";

describe("readiness and region health while draining", () => {
    const openai = new LlmStandIn("openai");
    let service: TestService;

    before(async () => {
        service = await startWithProviders([openai], { LLM_TIMEOUT_MS: "20000", ASK_DEADLINE_MS: "30000" });
    });

    after(() => stopWithProviders(service, [openai]));

    it("reports ready, then not ready and down as soon as the drain starts, while the held request completes", async () => {
        assert.equal((await getJson(`${service.url}/readyz`)).status, 200);
        openai.mode = { kind: "hold" };
        const inFlight = ask(service.url, "still answered?");
        await eventually(async () => openai.heldCount === 1, "the request is held at the provider");

        const drained = service.shutdown();
        assert.deepEqual(service.services.health.readiness(), { ready: false, reason: "draining" });
        assert.equal((await service.services.health.regionHealth()).status, "down");

        openai.mode = { kind: "ok" };
        openai.release();
        const response = await inFlight;
        assert.equal(response.status, 200);
        assert.equal(response.headers.get("connection"), "close");
        assert.equal(await drained, true);
    });
});
