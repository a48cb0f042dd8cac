import { containerEnv, containers, namespaceOf, objectName, scopeKey } from "./kubernetes";
import type { RuleContext, StackView, Subject } from "./rule";
import { asArray, asRecord, asString, asStrings, get, UNKNOWN, type Unknown } from "./values";

/** Environment of the service's standby replication (the replication contract of the service). */
export const REPLICATION_ENV = {
    journalUrl: "JOURNAL_URL",
    peerJournalUrls: "PEER_JOURNAL_URLS",
    apply: "REPLICATION_APPLY",
    leaseName: "LEASE_NAME",
} as const;

const RBAC = {
    role: "kubernetes:rbac.authorization.k8s.io/v1:Role",
    clusterRole: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    roleBinding: "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    clusterRoleBinding: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
} as const;

/** The env of a journal-applying container, and whether it surely applies (REPLICATION_APPLY known). */
export interface FollowerEnv {
    env: Map<string, string | Unknown>;
    /** False when REPLICATION_APPLY is unknown in preview: the container may or may not apply. */
    certain: boolean;
}

/**
 * The env of a workload's container that applies a replication journal: one that names a
 * journal (its URL may be unknown in preview) and does not turn applying off (the service
 * applies unless REPLICATION_APPLY=false).
 */
export function followerEnv(props: Record<string, unknown>): FollowerEnv | undefined {
    for (const env of containers(props).map(containerEnv)) {
        if (!env.has(REPLICATION_ENV.peerJournalUrls) && !env.has(REPLICATION_ENV.journalUrl)) continue;
        const apply = env.get(REPLICATION_ENV.apply);
        if (apply === UNKNOWN) return { env, certain: false };
        if (apply?.toLowerCase() !== "false") return { env, certain: true };
    }
    return undefined;
}

/** The service account the workload's pods run as (Kubernetes defaults to `default`). */
export function serviceAccountOf(props: Record<string, unknown>): string {
    return asString(get(props, "spec.template.spec.serviceAccountName")) ?? asString(get(props, "spec.template.spec.serviceAccount")) ?? "default";
}

function grantsLeaseUpdate(role: Subject, lease: string): boolean {
    return asArray(get(role.props, "rules")).map(asRecord).some((rule) => {
        const groups = asStrings(rule["apiGroups"]);
        const resources = asStrings(rule["resources"]);
        const verbs = asStrings(rule["verbs"]);
        const names = asStrings(rule["resourceNames"]);
        return (groups.includes("coordination.k8s.io") || groups.includes("*"))
            && (resources.includes("leases") || resources.includes("*"))
            && (verbs.includes("update") || verbs.includes("*"))
            && (names.length === 0 || names.includes(lease));
    });
}

function bindsAccount(binding: Subject, account: string, namespace: string): boolean {
    return asArray(get(binding.props, "subjects")).map(asRecord).some((s) =>
        s["kind"] === "ServiceAccount" && s["name"] === account && (asString(s["namespace"]) ?? namespaceOf(binding.props)) === namespace);
}

/**
 * Whether RBAC in the workload's cluster lets its service account update the Lease `lease` in
 * its namespace: a RoleBinding there (to a Role of that namespace or a ClusterRole), or a
 * ClusterRoleBinding to a ClusterRole. Bindings resolve roles by name within one cluster.
 */
export function mayUpdateLease(stack: StackView, ctx: RuleContext, workload: Subject, lease: string): boolean {
    const account = serviceAccountOf(workload.props);
    const namespace = namespaceOf(workload.props);
    const cluster = workload.provider ?? "default";
    const sameCluster = (s: Subject) => (s.provider ?? "default") === cluster;
    let allowed = false;
    const roleNamed = (kind: string, name: string) =>
        kind === "ClusterRole"
            ? stack.ofType(RBAC.clusterRole).filter(sameCluster).find((r) => objectName(r) === name)
            : stack.ofType(RBAC.role).find((r) => scopeKey(r) === scopeKey(workload) && objectName(r) === name);
    stack.each([...stack.ofType(RBAC.roleBinding), ...stack.ofType(RBAC.clusterRoleBinding)].filter(sameCluster), ctx, (binding) => {
        const namespaced = binding.type === RBAC.roleBinding;
        if (namespaced && namespaceOf(binding.props) !== namespace) return;
        if (!bindsAccount(binding, account, namespace)) return;
        const kind = asString(get(binding.props, "roleRef.kind")) ?? "";
        const role = roleNamed(namespaced ? kind : "ClusterRole", asString(get(binding.props, "roleRef.name")) ?? "");
        if (role !== undefined && grantsLeaseUpdate(role, lease)) allowed = true;
    });
    return allowed;
}
