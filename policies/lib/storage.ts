import { CLUSTER_TYPES } from "./clouds";
import { clusterOfProvider } from "./clusters";
import { isZoneKey, objectName, scopeKey, urnType, withScope } from "./kubernetes";
import { ofTypeWithProvider } from "./stack";
import type { StackView, Subject } from "./rule";
import { asArray, asRecord, asString, asStrings, get, known, knownElements, tryGet, UNKNOWN, type Unknown } from "./values";

/** Kubernetes storage: claims, classes and how pods mount them. */
export const STORAGE = {
    pvc: "kubernetes:core/v1:PersistentVolumeClaim",
    storageClass: "kubernetes:storage.k8s.io/v1:StorageClass",
} as const;

const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

/** The pod template's volumes; a volume unknown as a whole in preview is UNKNOWN. */
export function podVolumes(props: Record<string, unknown>): (Record<string, unknown> | Unknown)[] {
    return knownElements(asArray(tryGet(props, "spec.template.spec.volumes"))).map((v) => (v === UNKNOWN ? UNKNOWN : asRecord(v)));
}

/** Every container of the pod template, init containers included: all of them mount the pod's volumes. */
function allContainers(props: Record<string, unknown>): Record<string, unknown>[] {
    const spec = asRecord(get(props, "spec.template.spec"));
    return [...asArray(spec["initContainers"]), ...asArray(spec["containers"])].map(asRecord);
}

/**
 * Names of the containers that mount `volume` writable (a mount is writable unless `readOnly: true`).
 * A container whose mounts are unknown in preview makes the answer UNKNOWN only when no other
 * container is known to write it.
 */
export function writableMounts(props: Record<string, unknown>, volume: string): string[] | Unknown {
    const writers: string[] = [];
    let unknown = false;
    for (const c of allContainers(props)) {
        const writes = known(() => asArray(c["volumeMounts"]).map(asRecord).some((m) => m["name"] === volume && m["readOnly"] !== true));
        if (writes === UNKNOWN) unknown = true;
        else if (writes) writers.push(asString(c["name"]) ?? "?");
    }
    return writers.length === 0 && unknown ? UNKNOWN : writers;
}

/**
 * How a claim's access modes let pods share its volume: "many" nodes may write it (ReadWriteMany),
 * "once" pins writers to one node (ReadWriteOnce), "once-pod" to one pod (ReadWriteOncePod),
 * "read-only" only reads it (ReadOnlyMany). The most shareable mode the claim asks for wins.
 */
export type Sharing = "many" | "once" | "once-pod" | "read-only";

export function sharingOf(modes: string[]): Sharing | undefined {
    if (modes.includes("ReadWriteMany")) return "many";
    if (modes.includes("ReadWriteOnce")) return "once";
    if (modes.includes("ReadWriteOncePod")) return "once-pod";
    if (modes.includes("ReadOnlyMany")) return "read-only";
    return undefined;
}

/**
 * The PersistentVolumeClaim of the workload's scope that a volume names: by `claimName` or, when
 * that is unknown in preview, by the one claim the workload's spec depends on. UNKNOWN when the name
 * is unknown and no single claim accounts for it; undefined when the claim is not in the stack.
 */
export function claimOf(stack: StackView, w: Subject, claimName: unknown): Subject | Unknown | undefined {
    const scope = scopeKey(w, stack);
    if (claimName === UNKNOWN) {
        const deps = [...new Set(Object.values(w.propertyDependencies).flat())].filter((u) => urnType(u) === STORAGE.pvc);
        const claim = deps.length === 1 ? stack.byUrn(deps[0] as string) : undefined;
        return claim ?? UNKNOWN;
    }
    if (typeof claimName !== "string") return undefined;
    return withScope(stack, [STORAGE.pvc], scope).find((c) => known(() => objectName(c) === claimName) === true);
}

/** StorageClasses that EKS and GKE create themselves (not in any stack), as their docs define them. */
const PLATFORM_CLASSES: Record<string, Record<string, Record<string, unknown>>> = {
    [CLUSTER_TYPES["aws"] as string]: {
        gp2: { provisioner: "kubernetes.io/aws-ebs", volumeBindingMode: "WaitForFirstConsumer" },
    },
    [CLUSTER_TYPES["gcp"] as string]: {
        "standard-rwo": { provisioner: "pd.csi.storage.gke.io", volumeBindingMode: "WaitForFirstConsumer" },
        "premium-rwo": { provisioner: "pd.csi.storage.gke.io", volumeBindingMode: "WaitForFirstConsumer" },
    },
};
/** The class a claim without `storageClassName` gets when the stack marks none as default. */
const PLATFORM_DEFAULT: Record<string, string> = { [CLUSTER_TYPES["aws"] as string]: "gp2", [CLUSTER_TYPES["gcp"] as string]: "standard-rwo" };

/** A StorageClass as a claim of a provider resolves it: declared in the stack, or a platform's own. */
export interface ResolvedClass {
    name: string;
    props: Record<string, unknown>;
    /** The StorageClass resource when the stack declares it. */
    subject?: Subject;
}

/**
 * The StorageClass a claim (or volumeClaimTemplate) of the workload on `provider` uses. Classes
 * are cluster-wide, so only the provider matters. A class the stack does not declare resolves
 * when it is one EKS or GKE creates themselves; anything else is undefined (external, unknown).
 */
export function storageClassOf(stack: StackView, provider: string | undefined, claimSpec: Record<string, unknown>): ResolvedClass | Unknown | undefined {
    const name = tryGet(claimSpec, "storageClassName");
    if (name === UNKNOWN) return UNKNOWN;
    const classes = ofTypeWithProvider(stack, STORAGE.storageClass, provider);
    const cluster = clusterOfProvider(stack, provider)?.type;
    const platform = cluster === undefined ? {} : PLATFORM_CLASSES[cluster] ?? {};
    if (typeof name === "string") {
        const declared = classes.find((c) => tryGet(c.props, "metadata.name") === name);
        if (declared) return { name, props: declared.props, subject: declared };
        const own = platform[name];
        return own ? { name, props: own } : undefined;
    }
    const marked = classes.find((c) => tryGet(c.props, `metadata.annotations`) !== UNKNOWN && asString(asRecord(get(c.props, "metadata.annotations"))[DEFAULT_CLASS_ANNOTATION]) === "true");
    if (marked) return { name: objectName(marked), props: marked.props, subject: marked };
    const fallback = cluster === undefined ? undefined : PLATFORM_DEFAULT[cluster];
    const own = fallback === undefined ? undefined : platform[fallback];
    return fallback !== undefined && own ? { name: fallback, props: own } : undefined;
}

/** Topology keys that name a zone: the well-known labels and the zone keys of the EBS and GCE PD CSI drivers. */
const ZONE_TOPOLOGY_KEYS = ["topology.ebs.csi.aws.com/zone", "topology.gke.io/zone"];

/**
 * The zones a class's `allowedTopologies` allow: undefined when any term leaves the zone free (no
 * terms at all, or a term with no zone expression); the terms are ORed, a term's values are ORed.
 */
export function allowedZones(props: Record<string, unknown>): Set<string> | undefined {
    const terms = asArray(get(props, "allowedTopologies")).map(asRecord);
    if (terms.length === 0) return undefined;
    const zones = new Set<string>();
    for (const t of terms) {
        const exprs = asArray(t["matchLabelExpressions"]).map(asRecord).filter((e) => isZoneKey(e["key"]) || ZONE_TOPOLOGY_KEYS.includes(asString(e["key"]) ?? ""));
        if (exprs.length === 0) return undefined;
        // Several zone expressions in one term must all hold: the term allows their intersection.
        let term: string[] | undefined;
        for (const e of exprs) {
            const values = asStrings(e["values"]);
            term = term === undefined ? values : term.filter((z) => values.includes(z));
        }
        (term ?? []).forEach((z) => zones.add(z));
    }
    return zones;
}

/**
 * Whether a class's provisioner makes volumes that live in one zone: EBS always, GCE PD unless
 * regional, Azure Disk unless zone-redundant; EFS is regional. UNKNOWN for any other provisioner.
 */
export function zonalProvisioner(props: Record<string, unknown>): boolean | Unknown {
    const provisioner = asString(get(props, "provisioner"));
    const params = asRecord(get(props, "parameters"));
    switch (provisioner) {
        case "ebs.csi.aws.com":
        case "kubernetes.io/aws-ebs":
            return true;
        case "pd.csi.storage.gke.io":
        case "kubernetes.io/gce-pd":
            return params["replication-type"] !== "regional-pd";
        case "disk.csi.azure.com":
        case "kubernetes.io/azure-disk":
            return !/_ZRS$/i.test(asString(params["skuName"] ?? params["skuname"]) ?? "");
        case "efs.csi.aws.com":
            return false;
        default:
            return UNKNOWN;
    }
}
