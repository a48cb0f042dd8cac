import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LlmStandIn } from "./support/llm-stand-in";
import { spawnService } from "./support/process";
import { ask, eventually, FAST_ENV, freshDataDir } from "./support/service";

describe("graceful shutdown on SIGTERM", () => {
    const openai = new LlmStandIn("openai");

    before(async () => {
        await openai.start();
    });

    after(async () => openai.stop());

    const env = (drainMs: string) => ({
        ...FAST_ENV,
        LOG_LEVEL: "info",
        DATA_DIR: freshDataDir(),
        ...openai.envFor("primary"),
        LLM_TIMEOUT_MS: "20000",
        ASK_DEADLINE_MS: "30000",
        SHUTDOWN_DRAIN_MS: drainMs,
    });

    it("stops accepting, finishes every in-flight request, then exits 0", async () => {
        const service = await spawnService(env("20000"));
        openai.mode = { kind: "hold" };
        const inFlight = Array.from({ length: 4 }, (_, i) => ask(service.url, `in flight ${i}`));
        await eventually(async () => openai.heldCount === 4, "4 requests held at the provider");

        service.child.kill("SIGTERM");
        // New connections are refused once the listener is closed.
        await eventually(
            async () => fetch(`${service.url}/livez`).then(() => false, () => true),
            "the listener stops accepting",
        );
        openai.mode = { kind: "ok" };
        openai.release();
        const responses = await Promise.all(inFlight);
        for (const r of responses) {
            assert.equal(r.status, 200);
            assert.equal(r.body.answeredBy, "openai");
        }
        assert.equal(await service.exited, 0);
    });

    it("cuts what is left at the drain timeout and exits non-zero", async () => {
        const service = await spawnService(env("300"));
        openai.mode = { kind: "hold" };
        const stuck = ask(service.url, "never answered").then(
            () => "answered",
            () => "cut",
        );
        await eventually(async () => openai.heldCount === 1, "1 request held at the provider");
        service.child.kill("SIGTERM");
        assert.equal(await service.exited, 1);
        assert.equal(await stuck, "cut");
        openai.release();
        openai.mode = { kind: "ok" };
    });
});
