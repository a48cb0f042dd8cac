import type { RegisteredResource } from "./mocks";
import type { ExportedResource, StackExport } from "./stackExport";

/** Pulumi's marker for a secret value in state files. */
const SECRET_SIG = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

/** Replaces secret values (as the SDK deserialises them) by the state file's secret envelope. */
function exportValue(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(exportValue);
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SECRET_SIG.key] === SECRET_SIG.value) return { [SECRET_SIG.key]: SECRET_SIG.value, ciphertext: "[secret]" };
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, exportValue(v)]));
    }
    return value;
}

/** The resources of a run as a `pulumi stack export` (deployment version 3). */
export function toStackExport(resources: RegisteredResource[], time = new Date(0)): StackExport {
    const exported: ExportedResource[] = resources.map((r) => ({
        urn: r.urn,
        ...(r.custom && r.id ? { id: r.id } : {}),
        type: r.type,
        custom: r.custom,
        inputs: exportValue(r.inputs) as Record<string, unknown>,
        outputs: exportValue(r.outputs) as Record<string, unknown>,
        ...(r.parent ? { parent: r.parent } : {}),
        // Already the engine's `<provider-urn>::<provider-id>` reference, as the monitor receives it.
        ...(r.provider ? { provider: r.provider } : {}),
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
    }));
    return {
        version: 3,
        deployment: {
            manifest: { time: time.toISOString(), magic: "langchain-ha-plan", version: "v3.248.0" },
            resources: exported,
        },
    };
}
