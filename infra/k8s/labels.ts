/** Standard app.kubernetes.io labels; `name` and `instance` also form the selector. */
export function workloadLabels(name: string, component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "langchain-ha",
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

export function selectorLabels(name: string): Record<string, string> {
    return { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name };
}

export const ZONE_KEY = "topology.kubernetes.io/zone";
export const HOST_KEY = "kubernetes.io/hostname";

/** Spread pods evenly over zones (hard) and nodes (soft). */
export function zoneSpread(selector: Record<string, string>, whenZoneUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway") {
    return [
        { maxSkew: 1, topologyKey: ZONE_KEY, whenUnsatisfiable: whenZoneUnsatisfiable, labelSelector: { matchLabels: selector } },
        { maxSkew: 1, topologyKey: HOST_KEY, whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
    ];
}

/** Locked-down container security context: non-root, read-only root, no capabilities. */
export const RESTRICTED_CONTAINER = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};
