import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { describe, it } from "node:test";
import { LlmStandIn } from "./support/llm-stand-in";
import { ask, eventually, startWithProviders, startService } from "./support/service";

/** One GET over `agent` (keep-alive): the status and Connection header, or the error's code. */
function get(agent: Agent, url: string): Promise<{ status: number; connection: string | undefined } | { error: string }> {
    return new Promise((resolve) => {
        const req = request(url, { agent }, (response) => {
            response.resume();
            response.on("end", () => resolve({ status: response.statusCode ?? 0, connection: response.headers.connection }));
        });
        req.on("error", (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
        req.end();
    });
}

describe("connections while draining", () => {
    it("answers a request sent on a kept-alive connection right after SIGTERM, with Connection: close", async () => {
        const service = await startService({ SHUTDOWN_DRAIN_MS: "5000" });
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        try {
            const first = await get(agent, `${service.url}/livez`);
            assert.deepEqual(first, { status: 200, connection: "keep-alive" });
            const drained = service.shutdown();
            const second = await get(agent, `${service.url}/livez`);
            assert.deepEqual(second, { status: 200, connection: "close" }, "answered, not reset");
            assert.equal(await drained, true);
        } finally {
            agent.destroy();
        }
    });

    it("cuts the connections still open at the drain deadline, without waiting for them", async () => {
        const openai = new LlmStandIn("openai");
        const service = await startWithProviders([openai], { LLM_TIMEOUT_MS: "20000", ASK_DEADLINE_MS: "30000", SHUTDOWN_DRAIN_MS: "300" });
        try {
            openai.mode = { kind: "hold" };
            const stuck = ask(service.url, "never answered").then(() => "answered", () => "cut");
            await eventually(async () => openai.heldCount === 1, "the request is held at the provider");
            assert.equal(await service.shutdown(), false, "the drain reports that it was not clean");
            // The provider still holds the call: only the drain can have ended the client's request.
            assert.equal(openai.heldCount, 1);
            assert.equal(await stuck, "cut");
        } finally {
            openai.mode = { kind: "ok" };
            openai.release();
            await openai.stop();
        }
    });
});
