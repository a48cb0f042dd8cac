import assert from "node:assert/strict";
import { once } from "node:events";
import { describe, it } from "node:test";
import { loadConfig } from "../../app/src/config";
import { spawnServer } from "./support/process";

describe("configuration from the environment", () => {
    it("exits non-zero at start with one line per bad variable", async () => {
        const child = spawnServer({
            PORT: "eighty",
            QDRANT_URL: "ftp://qdrant",
            QDRANT_REPLICATION_FACTOR: "0",
            LLM_PRIMARY: "mistral",
            SHUTDOWN_DRAIN_MS: "-5",
            TLS_KEY_FILE: "/tls/key.pem",
            QDRANT_WRITE_CONSISTENCY_FACTOR: "3",
        });
        let stderr = "";
        child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
        const [code] = await once(child, "exit");
        assert.equal(code, 2);
        assert.deepEqual(stderr.trim().split("\n"), [
            'config error: PORT: must be an integer from 0 to 65535 (got "eighty")',
            'config error: QDRANT_URL: must be an http(s) URL (got "ftp://qdrant")',
            'config error: QDRANT_REPLICATION_FACTOR: must be at least 1 (got "0")',
            'config error: LLM_PRIMARY: must be one of openai, anthropic, google, none (got "mistral")',
            'config error: SHUTDOWN_DRAIN_MS: must be an integer from 0 to 600000 (got "-5")',
            // Checks across variables run in the same pass, but not on a variable already reported.
            "config error: TLS_CERT_FILE: must be set together with TLS_KEY_FILE",
        ]);
    });

    it("rejects combinations that cannot work, naming the variable", () => {
        const result = loadConfig({
            TLS_CERT_FILE: "/tls/cert.pem",
            QDRANT_REPLICATION_FACTOR: "2",
            QDRANT_WRITE_CONSISTENCY_FACTOR: "3",
            LLM_PRIMARY: "anthropic",
        });
        assert.equal(result.ok, false);
        assert.deepEqual(!result.ok && result.errors, [
            "TLS_KEY_FILE: must be set together with TLS_CERT_FILE",
            "QDRANT_WRITE_CONSISTENCY_FACTOR: must not exceed QDRANT_REPLICATION_FACTOR (2)",
            "LLM_PRIMARY: anthropic needs ANTHROPIC_API_KEY",
        ]);
        const same = loadConfig({ LLM_PRIMARY: "openai", LLM_SECONDARY: "openai", OPENAI_API_KEY: "k" });
        assert.deepEqual(!same.ok && same.errors, ["LLM_SECONDARY: must name a provider other than LLM_PRIMARY (openai)"]);
    });

    it("runs on the embedded defaults with nothing set, and picks providers from the keys present", () => {
        const bare = loadConfig({});
        assert.ok(bare.ok);
        assert.equal(bare.config.port, 8080);
        assert.equal(bare.config.qdrant, undefined);
        assert.deepEqual(bare.config.llm, { primary: undefined, secondary: undefined });

        const keys = loadConfig({ GOOGLE_API_KEY: "g", ANTHROPIC_API_KEY: "a" });
        assert.ok(keys.ok);
        assert.equal(keys.config.llm.primary?.provider, "anthropic");
        assert.equal(keys.config.llm.secondary?.provider, "google");

        const off = loadConfig({ OPENAI_API_KEY: "o", LLM_PRIMARY: "none" });
        assert.ok(off.ok);
        assert.equal(off.config.llm.primary, undefined);
    });
});
