/**
 * @pulumi/policy's analyzer server deserializes a resource's properties once per policy: for
 * AnalyzeStack, every resource of the stack again for each of the pack's stack policies (and
 * each resource's provider with it), for Analyze, a resource's properties again for each policy
 * whose function is not tagged with a single type. On a stack of thousands of resources that was
 * most of a check's time. The properties of one request are the same protobuf Struct for every
 * policy, so the deserialized value is kept per Struct (a WeakMap: gone with the request).
 * Policies only read properties (through @pulumi/policy's unknown-checking proxy), so sharing
 * the value between them changes nothing they can see.
 */
// The server calls the module's export at each use (`deserialize_1.deserializeProperties(...)`),
// so replacing the export is enough; the module is internal to @pulumi/policy (no typings).
type Deserialize = (struct: object, proxySecrets: boolean) => Record<string, unknown>;
const deserializeModule = require("@pulumi/policy/deserialize") as { deserializeProperties?: Deserialize };

let installed = false;

/** Makes the server deserialize each Struct once per request; idempotent. */
export function deserializeOncePerRequest(): void {
    const original = deserializeModule.deserializeProperties;
    if (installed || typeof original !== "function") return; // Another shape: the server's own path, just slower.
    installed = true;
    const plain = new WeakMap<object, Record<string, unknown>>();
    const withSecrets = new WeakMap<object, Record<string, unknown>>();
    deserializeModule.deserializeProperties = (struct, proxySecrets) => {
        if (struct === null || typeof struct !== "object") return original(struct, proxySecrets);
        const memo = proxySecrets ? withSecrets : plain;
        let value = memo.get(struct);
        if (value === undefined) {
            value = original(struct, proxySecrets);
            memo.set(struct, value);
        }
        return value;
    };
}
