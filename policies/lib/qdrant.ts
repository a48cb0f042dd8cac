import { containerEnv, containers } from "./kubernetes";
import { asArray, asRecord, asString, asStrings, known, UNKNOWN } from "./values";

/** Where Qdrant reads its config files (config.yaml, then the run mode's file, then local.yaml). */
const CONFIG_DIR = "/qdrant/config";

/** A Qdrant setting as the workload declares it. */
export type QdrantSetting =
    | { kind: "value"; value: string }
    /** Set, but from somewhere this rule cannot read: why, in a few words. */
    | { kind: "elsewhere"; why: string }
    | { kind: "unset" };

/** Whether the container may read a Qdrant config file: one mounted under /qdrant/config, or --config-path. */
function configFileSource(c: Record<string, unknown>): string | undefined {
    const mount = asArray(c["volumeMounts"]).map(asRecord).find((m) => (asString(known(() => m["mountPath"])) ?? "").startsWith(CONFIG_DIR));
    if (mount !== undefined) return `a config file mounted at ${asString(mount["mountPath"])} (volume ${asString(mount["name"]) ?? "?"})`;
    const args = [...asStrings(c["args"]), ...asStrings(c["command"])];
    if (args.some((a) => a.startsWith("--config-path"))) return "a config file named by --config-path";
    return undefined;
}

/**
 * Qdrant's value for the env-style key `name` (e.g. QDRANT__CLUSTER__ENABLED) in the workload's
 * Qdrant container. An env value wins over every config file; one from `valueFrom`, `envFrom`,
 * a mounted config file or unknown in preview is reported as "elsewhere", never guessed.
 */
export function qdrantSetting(props: Record<string, unknown>, name: string): QdrantSetting {
    const elsewhere: string[] = [];
    for (const c of containers(props)) {
        const value = containerEnv(c).get(name);
        if (value === UNKNOWN) {
            elsewhere.push(`env ${name} is unknown in preview`);
            continue;
        }
        if (value !== undefined) return { kind: "value", value };
        const entry = asArray(c["env"]).map(asRecord).find((e) => e["name"] === name && e["valueFrom"] !== undefined);
        if (entry) {
            const ref = asRecord(entry["valueFrom"]);
            const from = asRecord(ref["configMapKeyRef"] ?? ref["secretKeyRef"]);
            const what = ref["configMapKeyRef"] ? "ConfigMap" : ref["secretKeyRef"] ? "Secret" : "a reference";
            elsewhere.push(`env ${name} comes from ${what}${from["name"] !== undefined ? ` "${asString(from["name"]) ?? "?"}"` : ""}${from["key"] !== undefined ? ` key "${asString(from["key"]) ?? "?"}"` : ""}`);
            continue;
        }
        const envFrom = asArray(c["envFrom"]).map(asRecord);
        if (envFrom.length > 0) elsewhere.push("the container takes env from envFrom");
        const file = configFileSource(c);
        if (file !== undefined) elsewhere.push(`it may be set in ${file}`);
    }
    return elsewhere.length > 0 ? { kind: "elsewhere", why: elsewhere.join("; ") } : { kind: "unset" };
}
