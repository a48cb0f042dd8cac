import { kindOf, POD_TEMPLATE_WORKLOADS } from "../../../lib/kubernetes";
import { resourceRule } from "../../../lib/rule";
import { podVolumes, writableMounts } from "../../../lib/storage";
import { asRecord, asString, get, known, UNKNOWN, type Unknown } from "../../../lib/values";

/** hostPath types that reach a node's socket or device, not a place to keep files. */
const NOT_STORAGE = ["Socket", "CharDevice", "BlockDevice"];

export const kubernetesAppsWorkloadDisallowHostPathState = resourceRule({
    name: "kubernetes-apps-workload-disallow-host-path-state",
    description: "A Deployment, StatefulSet or ReplicaSet must not keep state in a hostPath volume it writes, which lives on whichever node the pod lands on and is gone when the pod moves.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "apps",
    resource: "workload",
    fix: "Keep the state in a PersistentVolumeClaim (`volumeClaimTemplates` in a StatefulSet) or, for scratch data, an `emptyDir`; a hostPath mounted `readOnly: true` (node files an agent reads) or a socket or device is not judged, and DaemonSets, which run on every node by design, are not either.",
    types: POD_TEMPLATE_WORKLOADS,
    check(r, ctx) {
        let unknown = 0;
        let reported = false;
        for (const v of podVolumes(r.props)) {
            // Each volume on its own: one unknown in preview hides nothing the others show.
            const finding = v === UNKNOWN ? UNKNOWN : known(() => hostPathState(r.props, v));
            if (finding === UNKNOWN) unknown++;
            else if (finding !== undefined) {
                reported = true;
                ctx.report(`${kindOf(r.type)} "${r.name}" ${finding}, so its state lives on one node and is lost or split when a pod moves or that node fails; keep it in a PersistentVolumeClaim (volumeClaimTemplates in a StatefulSet), use emptyDir for scratch data, or mount the hostPath readOnly.`);
            }
        }
        if (unknown > 0 && !reported) ctx.undecided(r.urn, `${unknown === 1 ? "a volume or mount" : `${unknown} volumes or mounts`} of its pod template cannot be known in preview`);
    },
});

/** What the pod writes to a hostPath volume ("writes to hostPath volume ... from container ..."), or undefined. */
function hostPathState(props: Record<string, unknown>, v: Record<string, unknown>): string | Unknown | undefined {
    const hostPath = v["hostPath"];
    if (hostPath === undefined || hostPath === null) return undefined;
    const type = asString(asRecord(hostPath)["type"]) ?? "";
    if (NOT_STORAGE.includes(type)) return undefined;
    const name = asString(v["name"]) ?? "";
    const writers = writableMounts(props, name);
    if (writers === UNKNOWN) return UNKNOWN;
    if (writers.length === 0) return undefined;
    const path = asString(get(hostPath, "path")) ?? "?";
    return `writes to hostPath volume "${name}" (${path}) from container${writers.length === 1 ? "" : "s"} ${writers.map((c) => `"${c}"`).join(", ")}`;
}
