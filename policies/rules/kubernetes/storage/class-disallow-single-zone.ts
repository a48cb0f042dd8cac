import { K8S } from "../../../lib/kubernetes";
import { stackRule, type Subject } from "../../../lib/rule";
import { pushTo } from "../../../lib/stack";
import { allowedZones, STORAGE, storageClassOf, zonalProvisioner, type ResolvedClass } from "../../../lib/storage";
import { asArray, asRecord, asString, get, known, knownElements, tryGet, UNKNOWN } from "../../../lib/values";
import { workloads } from "../../../lib/workloads";

/** A StatefulSet's claim templates each give every pod its own volume from the template's class. */
function claimTemplates(sts: Subject): (Record<string, unknown> | typeof UNKNOWN)[] {
    return knownElements(asArray(tryGet(sts.props, "spec.volumeClaimTemplates"))).map((t) => (t === UNKNOWN ? UNKNOWN : asRecord(get(t, "spec"))));
}

/** Why volumes of a class are placed before their pods in zones nobody chose, or undefined when they follow their pods. */
function placedBeforePods(cls: ResolvedClass): string | undefined | typeof UNKNOWN {
    const mode = tryGet(cls.props, "volumeBindingMode");
    if (mode === UNKNOWN) return UNKNOWN;
    if (mode === "WaitForFirstConsumer") return undefined;
    const zonal = known(() => zonalProvisioner(cls.props));
    if (zonal !== true) return zonal === false ? undefined : UNKNOWN;
    const provisioner = asString(get(cls.props, "provisioner"));
    return `binds volumes as soon as they are claimed (volumeBindingMode ${mode === undefined ? "unset, which means Immediate" : String(mode)}) with a provisioner whose volumes live in one zone (${provisioner})`;
}

export const kubernetesStorageClassDisallowSingleZone = stackRule({
    name: "kubernetes-storage-class-disallow-single-zone",
    description: "A StorageClass must not put the volumes of a workload in one zone: neither by allowing only one zone nor by binding zonal volumes before their pods are scheduled.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "storage",
    resource: "class",
    fix: "List at least two zones in `allowedTopologies` (or leave it unset), and set `volumeBindingMode: WaitForFirstConsumer` on classes of zonal disks (EBS, GCE PD) so each volume is created in the zone its pod was scheduled to; a regional PD (`replication-type: regional-pd`) or EFS spans zones by itself.",
    check(stack, ctx) {
        /** Users of each class of the stack, by class URN (StatefulSets through their templates, and claims). */
        const users = new Map<string, string[]>();
        /** StatefulSets that need their volumes in several zones, per class that places them blindly. */
        const blind = new Map<string, { why: string; sets: string[] }>();
        for (const w of workloads(stack, ctx, [K8S.statefulSet])) stack.each([w.subject], ctx, () => {
            const spread = Math.max(w.replicas, w.hpaMin ?? 0) >= 2;
            const unknown: string[] = [];
            let judged = false;
            for (const spec of claimTemplates(w.subject)) {
                const cls = spec === UNKNOWN ? UNKNOWN : storageClassOf(stack, w.subject.provider, spec);
                if (cls === UNKNOWN) {
                    unknown.push("the storage class of a volumeClaimTemplate is unknown in preview");
                    continue;
                }
                if (cls === undefined) {
                    unknown.push(`storage class "${String(tryGet(spec, "storageClassName") ?? "(cluster default)")}" is neither declared in the stack nor one EKS or GKE creates, so how it places volumes is unknown`);
                    continue;
                }
                if (cls.subject) pushTo(users, cls.subject.urn, `StatefulSet "${w.subject.name}"`);
                if (!spread) continue;
                const why = placedBeforePods(cls);
                if (why === UNKNOWN) unknown.push(`how storage class "${cls.name}" places volumes is unknown (binding mode unknown in preview, or a provisioner the pack does not know)`);
                else if (why !== undefined && cls.subject) {
                    const entry = blind.get(cls.subject.urn) ?? { why, sets: [] };
                    if (!entry.sets.includes(w.subject.name)) entry.sets.push(w.subject.name);
                    blind.set(cls.subject.urn, entry);
                    judged = true;
                }
            }
            if (spread && unknown.length > 0 && !judged) ctx.undecided(w.subject.urn, unknown.join("; "));
        });
        stack.each(stack.ofType(STORAGE.pvc), ctx, (c) => {
            const cls = storageClassOf(stack, c.provider, asRecord(get(c.props, "spec")));
            if (cls !== UNKNOWN && cls?.subject) pushTo(users, cls.subject.urn, `PersistentVolumeClaim "${c.name}"`);
        });
        stack.each(stack.ofType(STORAGE.storageClass), ctx, (cls) => {
            const zones = allowedZones(cls.props);
            const usedBy = users.get(cls.urn) ?? [];
            if (zones !== undefined && zones.size <= 1) {
                const zone = zones.size === 1 ? `only in zone ${[...zones][0]}` : "in no zone at all";
                const fix = "list at least two zones in allowedTopologies, or remove it";
                if (usedBy.length > 0) {
                    ctx.report(`StorageClass "${cls.name}" allows volumes ${zone} (allowedTopologies), so every volume of ${usedBy.join(", ")} sits in that zone and its pods with it, and one zone outage stops them; ${fix}.`, cls.urn);
                } else {
                    ctx.advise(`StorageClass "${cls.name}" allows volumes ${zone} (allowedTopologies), so whatever uses it keeps all its data in that zone; ${fix}.`, cls.urn);
                }
                return;
            }
            const placed = blind.get(cls.urn);
            if (placed === undefined) return;
            ctx.report(
                `StorageClass "${cls.name}" ${placed.why}, so each volume of StatefulSet ${placed.sets.map((s) => `"${s}"`).join(", ")} is created in a zone picked before its pod is scheduled: several may land in one zone and pin their pods there, or leave them Pending against the zone spread; set volumeBindingMode: WaitForFirstConsumer.`,
                cls.urn,
            );
        });
    },
});
