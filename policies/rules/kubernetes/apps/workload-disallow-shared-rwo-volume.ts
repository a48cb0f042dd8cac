import { POD_TEMPLATE_WORKLOADS } from "../../../lib/kubernetes";
import { stackRule } from "../../../lib/rule";
import { claimOf, podVolumes, sharingOf, type Sharing } from "../../../lib/storage";
import { asNumber, asStrings, knownElements, tryGet, UNKNOWN, type Unknown } from "../../../lib/values";
import { workloads, type Workload } from "../../../lib/workloads";

const MODE_NAMES: Partial<Record<Sharing, string>> = { once: "ReadWriteOnce", "once-pod": "ReadWriteOncePod" };

/** The most pods the workload may run, and how it says so; UNKNOWN when its HPA's maximum is unknown. */
function mostPods(w: Workload): { pods: number; how: string } | Unknown {
    if (w.hpa === undefined) return { pods: w.replicas, how: `runs ${w.replicas} replicas` };
    const max = tryGet(w.hpa.props, "spec.maxReplicas");
    if (max === UNKNOWN) return (w.hpaMin ?? 1) > 1 ? { pods: w.hpaMin ?? 1, how: `runs at least ${w.hpaMin} replicas` } : UNKNOWN;
    const pods = asNumber(max) ?? 1;
    return { pods, how: `may run up to ${pods} replicas (its HorizontalPodAutoscaler's maxReplicas)` };
}

export const kubernetesAppsWorkloadDisallowSharedRwoVolume = stackRule({
    name: "kubernetes-apps-workload-disallow-shared-rwo-volume",
    description: "A workload that runs several replicas must not mount one ReadWriteOnce or ReadWriteOncePod claim, which pins every replica to one node (or lets only one pod start).",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "apps",
    resource: "workload",
    fix: "Give each replica its own volume (a StatefulSet with `volumeClaimTemplates`), or mount a claim whose `accessModes` include `ReadWriteMany` (EFS, Filestore) when the replicas must share data.",
    check(stack, ctx) {
        for (const w of workloads(stack, ctx, POD_TEMPLATE_WORKLOADS)) {
            stack.each([w.subject], ctx, () => {
                const pinned: { claim: string; sharing: Sharing }[] = [];
                const unknown: string[] = [];
                for (const v of podVolumes(w.subject.props)) {
                    if (v === UNKNOWN) {
                        unknown.push("one of its volumes is unknown in preview");
                        continue;
                    }
                    const source = tryGet(v, "persistentVolumeClaim");
                    if (source === undefined || source === null) continue;
                    const claimName = source === UNKNOWN ? UNKNOWN : tryGet(source, "claimName");
                    const claim = claimOf(stack, w.subject, claimName);
                    if (claim === UNKNOWN) {
                        unknown.push(`the claim of volume "${String(tryGet(v, "name"))}" is unknown in preview`);
                        continue;
                    }
                    if (claim === undefined) {
                        // External: its access modes are not in the stack, so they are not judged.
                        unknown.push(`claim "${String(claimName)}" is not declared in the stack, so its access modes are unknown`);
                        continue;
                    }
                    const raw = tryGet(claim.props, "spec.accessModes");
                    const modes = raw === UNKNOWN ? [UNKNOWN] : knownElements(Array.isArray(raw) ? raw : []);
                    const sharing = sharingOf(asStrings(modes));
                    if (sharing === "many") continue;
                    if (modes.includes(UNKNOWN)) {
                        unknown.push(`the access modes of claim "${claim.name}" are unknown in preview`);
                        continue;
                    }
                    if (sharing === "once" || sharing === "once-pod") pinned.push({ claim: claim.name, sharing });
                }
                if (pinned.length === 0 && unknown.length === 0) return;
                const most = mostPods(w);
                if (most !== UNKNOWN && most.pods <= 1) return;
                if (pinned.length === 0) return ctx.undecided(w.subject.urn, unknown.join("; "));
                if (most === UNKNOWN) return ctx.undecided(w.subject.urn, "it mounts a single-node claim and its HorizontalPodAutoscaler's maxReplicas is unknown in preview");
                const claims = pinned.map((p) => `${MODE_NAMES[p.sharing]} PersistentVolumeClaim "${p.claim}"`).join(" and ");
                const why = pinned.some((p) => p.sharing === "once-pod")
                    ? "only one pod can use it and the other replicas never start"
                    : "every replica must run on the one node that attaches the volume, and that node or its zone stops them all";
                ctx.report(
                    `${w.kind} "${w.subject.name}" ${most.how} that all mount ${claims}, so ${why}; give each replica its own volume (a StatefulSet with volumeClaimTemplates) or use a ReadWriteMany claim.`,
                    w.subject.urn,
                );
            });
        }
    },
});
