import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { HOST_KEY, RESTRICTED_CONTAINER, selectorLabels, workloadLabels, ZONE_KEY, zoneSpread } from "../../infra/k8s/labels";

/**
 * The labels, selectors and spread constraints every workload of the program is built from,
 * written out by hand: a selector that drifts from the labels selects no pod, and a spread
 * keyed on the wrong label spreads nothing. Loads no SDK, so it is cheap to run per mutant.
 */
describe("k8s labels (exact)", () => {
    test("a workload's labels: name and instance (the selector), its component, the program as part-of and manager", () => {
        assert.deepEqual(workloadLabels("qdrant", "vector-store"), {
            "app.kubernetes.io/name": "qdrant",
            "app.kubernetes.io/instance": "qdrant",
            "app.kubernetes.io/component": "vector-store",
            "app.kubernetes.io/part-of": "langchain-ha",
            "app.kubernetes.io/managed-by": "pulumi",
        });
        assert.deepEqual(selectorLabels("qdrant"), { "app.kubernetes.io/name": "qdrant", "app.kubernetes.io/instance": "qdrant" });
    });

    test("zone spread: one pod of skew per zone (hard or soft as asked) and per node (soft), both on the selector", () => {
        const selector = { "app.kubernetes.io/name": "api", "app.kubernetes.io/instance": "api" };
        for (const whenZoneUnsatisfiable of ["DoNotSchedule", "ScheduleAnyway"] as const) {
            assert.deepEqual(zoneSpread(selector, whenZoneUnsatisfiable), [
                { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: whenZoneUnsatisfiable, labelSelector: { matchLabels: selector } },
                { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: selector } },
            ]);
        }
    });

    test("the well-known topology keys and the restricted container context", () => {
        assert.equal(ZONE_KEY, "topology.kubernetes.io/zone");
        assert.equal(HOST_KEY, "kubernetes.io/hostname");
        assert.deepEqual(RESTRICTED_CONTAINER, {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
            seccompProfile: { type: "RuntimeDefault" },
        });
    });
});
