import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { errorLine, helpFooter, userCwd, userPath, useColour } from "../../infra/cli/conventions";
import { placeholderKeys } from "../../infra/plan/stackFile";
import { plainTextSecrets } from "../../infra/plan/warnings";

describe("CLI conventions", () => {
    const root = "/repo";
    const npm = { INIT_CWD: "/home/me/work", npm_package_json: "/repo/package.json" };

    test("under npm, relative paths are the user's; elsewhere the process's own directory", () => {
        assert.equal(userCwd(npm, root), "/home/me/work");
        assert.equal(userPath("out/prod.json", npm, root), path.resolve("/home/me/work/out/prod.json"));
        assert.equal(userPath("/tmp/x.json", npm, root), "/tmp/x.json");
        assert.equal(userCwd({}, root), root);
        assert.equal(userCwd(npm, "/elsewhere"), "/elsewhere", "an INIT_CWD inherited by a process started elsewhere does not apply");
    });

    test("colour on a terminal only; NO_COLOR and TERM=dumb turn it off, FORCE_COLOR on", () => {
        assert.equal(useColour({ isTTY: true }, {}), true);
        assert.equal(useColour({ isTTY: false }, {}), false);
        assert.equal(useColour({}, {}), false);
        assert.equal(useColour({ isTTY: true }, { NO_COLOR: "1" }), false);
        assert.equal(useColour({ isTTY: true }, { NO_COLOR: "" }), true, "an empty NO_COLOR is unset (no-color.org)");
        assert.equal(useColour({ isTTY: true }, { TERM: "dumb" }), false);
        assert.equal(useColour({ isTTY: false }, { FORCE_COLOR: "1" }), true);
        assert.equal(useColour({ isTTY: false }, { FORCE_COLOR: "0" }), false);
        assert.equal(useColour({ isTTY: true }, { FORCE_COLOR: "1", NO_COLOR: "1" }), false);
    });

    test("one error line: the tool's prefix, the first line of the message", () => {
        assert.equal(errorLine("plan", "bad\nsecond line", false), "plan: bad");
        assert.equal(errorLine("dr", "bad", true), "\u001b[31mdr:\u001b[0m bad");
    });

    test("help ends with examples and exit codes", () => {
        const text = helpFooter("check", { examples: [["npm run check -- -s prod", "offline"]], exitCodes: [[0, "ok"], [2, "bad input"]] });
        assert.match(text, /Examples:\n {2}npm run check -- -s prod {2}# offline\n\nExit codes:\n {2}0 {2}ok\n {2}2 {2}bad input\n/);
    });
});

describe("stack file checks", () => {
    test("keys on lines marked PLACEHOLDER, with their nesting", () => {
        const text = [
            "config:",
            "  langchain-ha:gcp:",
            "    project: acme # PLACEHOLDER",
            "    gke:",
            "      masterAuthorizedCidrs: [203.0.113.0/24] # PLACEHOLDER: your egress",
            "  langchain-ha:dns:",
            "    hostedZoneId: Z0PLACEHOLDER000001 # PLACEHOLDER",
            "    domain: rag.example.com",
        ].join("\n");
        assert.deepEqual(placeholderKeys(text), ["langchain-ha:gcp.project", "langchain-ha:gcp.gke.masterAuthorizedCidrs", "langchain-ha:dns.hostedZoneId"]);
    });

    const file = (values: Record<string, string>, secretKeys: string[] = []) => ({ values, secretKeys, file: "stacks/Pulumi.x.yaml", placeholders: [] });

    test("a secret key, a credential-named field or a key-shaped value in plain text is refused", () => {
        assert.deepEqual(plainTextSecrets(file({ "langchain-ha:qdrantApiKey": "hunter2hunter2" })).map((m) => m.split(" ")[0]), ["langchain-ha:qdrantApiKey"]);
        assert.deepEqual(plainTextSecrets(file({ "langchain-ha:app": JSON.stringify({ auth: { apiKeys: ["k1"] } }) })).map((m) => m.split(" ")[0]), ["langchain-ha:app.auth.apiKeys[0]"]);
        assert.deepEqual(plainTextSecrets(file({ "langchain-ha:app": JSON.stringify({ auth: { apiKey: "abc" } }) })).map((m) => m.split(" ")[0]), ["langchain-ha:app.auth.apiKey"]);
        assert.deepEqual(plainTextSecrets(file({ "langchain-ha:app": JSON.stringify({ note: "AKIAABCDEFGHIJKLMNOP" }) })).map((m) => m.split(" ")[0]), ["langchain-ha:app.note"]);
    });

    test("secure values and ordinary settings pass", () => {
        assert.deepEqual(plainTextSecrets(file({ "langchain-ha:openaiApiKey": "<secret langchain-ha:openaiApiKey>" }, ["langchain-ha:openaiApiKey"])), []);
        assert.deepEqual(plainTextSecrets(file({ "langchain-ha:dns": JSON.stringify({ ttlSeconds: 30, domain: "rag.example.com" }) })), []);
    });
});
