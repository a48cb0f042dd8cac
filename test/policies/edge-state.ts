import { SECRET_SIG, SIG_KEY, UNKNOWN_VALUE, type StateResource } from "../../policies/check/requests";

/*
 * Resources with every kind of value and resource option a stack export can hold, for the tests
 * that compare two ways of building the analyzer's requests (bytes, views, google-protobuf).
 */

export const PROVIDER = "urn:pulumi:test::langchain-ha::pulumi:providers:aws::default";

export function resource(urn: string, inputs: Record<string, unknown>, more: Partial<StateResource> = {}): StateResource {
    return { urn, type: urn.split("::")[2] ?? "", custom: true, inputs, outputs: inputs, ...more };
}

/** Every kind of value (unknowns, secrets, `__` keys, odd keys and numbers), every option, a missing provider and a bare resource. */
export function edgeCaseResources(): StateResource[] {
    const long = "x".repeat(200);
    const provider = resource(PROVIDER, { region: "us-east-1", __internal: { k: 1 }, version: "7.0.0" });
    const edge = resource(
        "urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::edge",
        {
            __defaults: ["bucket"],
            zeta: 1,
            Alpha: 2,
            "10": "ten",
            "9": "nine",
            _under: true,
            "é": "accented",
            empty: {},
            emptyList: [],
            emptyString: "",
            nothing: null,
            missing: undefined,
            numbers: [0, -0, -1.5, 2 ** 53, 1e-300, 123456.789],
            flags: [true, false],
            nested: { deeper: { list: [[1, [2, { three: "3" }]], null, undefined] }, __kept: "nested __ keys stay" },
            unicode: "日本語 ✓ 🚀",
            long,
            veryLong: "y".repeat(20_000),
            longKey: { [long]: long },
            unknown: UNKNOWN_VALUE,
            secretPlain: { [SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify({ password: "p", n: 2 }) },
            secretValue: { [SIG_KEY]: SECRET_SIG, value: ["a", { b: 1 }] },
            secretEncrypted: { [SIG_KEY]: SECRET_SIG, ciphertext: "AAAA" },
            big: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, { i, s: `v${i}` }])),
        },
        {
            provider: `${PROVIDER}::provider-id`,
            parent: "urn:pulumi:test::langchain-ha::pulumi:pulumi:Stack::langchain-ha-test",
            protect: true,
            ignoreChanges: ["tags", ""],
            additionalSecretOutputs: ["policy"],
            aliases: ["urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::old"],
            customTimeouts: { create: 600, update: 0.5, delete: 0 },
            dependencies: [PROVIDER, "urn:pulumi:test::langchain-ha::aws:s3/bucket:Bucket::other"],
            propertyDependencies: { zeta: [PROVIDER], Alpha: [], nested: ["urn:a", "urn:b"] },
        },
    );
    // A provider reference whose provider is not in the export, and a resource with nothing but its URN.
    const orphan = resource("urn:pulumi:test::langchain-ha::aws:sns/topic:Topic::orphan", { name: "t" }, { provider: "urn:pulumi:test::langchain-ha::pulumi:providers:gcp::gone::id" });
    const bare: StateResource = { urn: "urn:pulumi:test::langchain-ha::x:y:Z::bare", type: "", custom: false, inputs: {}, outputs: {} };
    return [provider, edge, orphan, bare];
}

/**
 * Values the check sends as the engine does and google-protobuf's JS encoder writes otherwise, so
 * they are left out of the byte comparisons with it: strings that are not well-formed UTF-16 (the
 * check writes U+FFFD, as Go's JSON decoder reads `\\ud800` from a state file) and an own
 * "__proto__" key (which JSON.parse gives; google-protobuf's maps drop it, in the pack too).
 */
export function engineOnlyResources(): StateResource[] {
    return [
        resource(
            "urn:pulumi:test::langchain-ha::aws:sqs/queue:Queue::lone",
            { lone: "high \ud800 and low \udc00", ["key \udfff"]: ["in a list \ud800"] },
            { aliases: ["alias \ud800"], propertyDependencies: { ["dep \udc00"]: ["urn \ud800"] }, dependencies: ["urn \udfff"] },
        ),
        resource(
            "urn:pulumi:test::langchain-ha::aws:sqs/queue:Queue::proto",
            JSON.parse('{"__proto__": {"polluted": true}, "plain": 1, "nested": {"__proto__": [1], "kept": 2}}') as Record<string, unknown>,
        ),
    ];
}
