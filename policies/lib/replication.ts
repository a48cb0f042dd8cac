import { containerEnv, containers, namespaceOf, objectName, resolvedNamespace, sameScope, urnType, K8S } from "./kubernetes";
import type { StackView, Subject } from "./rule";
import { ofTypeWithProvider } from "./stack";
import { asArray, asRecord, asString, asStrings, get, known, tryGet, UNKNOWN, type Unknown } from "./values";

const SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount";

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

/**
 * The service account, through the one ServiceAccount of the stack its `spec` depends on when
 * the name is unknown in preview (a ServiceAccount's own name is declared, so it is known).
 */
export function resolvedServiceAccount(stack: StackView, w: Subject): string {
    if (tryGet(w.props, "spec.template.spec.serviceAccountName") === UNKNOWN) {
        const accounts = (w.propertyDependencies["spec"] ?? []).filter((u) => urnType(u) === SERVICE_ACCOUNT);
        const name = accounts.length === 1 ? tryGet(stack.byUrn(accounts[0] as string)?.props, "metadata.name") : UNKNOWN;
        if (typeof name === "string") return name;
    }
    return serviceAccountOf(w.props);
}

/** `lease` undefined: any Lease (a role that may update only some named Leases counts). */
function grantsLeaseUpdate(role: Subject, lease: string | undefined): boolean {
    return asArray(get(role.props, "rules")).map(asRecord).some((rule) => {
        const groups = asStrings(rule["apiGroups"]);
        const resources = asStrings(rule["resources"]);
        const verbs = asStrings(rule["verbs"]);
        const names = asStrings(rule["resourceNames"]);
        return (groups.includes("coordination.k8s.io") || groups.includes("*"))
            && (resources.includes("leases") || resources.includes("*"))
            && (verbs.includes("update") || verbs.includes("*"))
            && (lease === undefined || names.length === 0 || names.includes(lease));
    });
}

/** The object's namespace, through its Namespace when unknown in preview; still unknown, the read throws. */
function namespaceName(stack: StackView, s: Subject): string {
    const ns = resolvedNamespace(stack, s);
    return ns === UNKNOWN ? namespaceOf(s.props) : ns;
}

/** Names of the objects of `type` that `prop` of `s` depends on (names unknown in preview resolve through them). */
function namesFrom(stack: StackView, s: Subject, prop: string, type: string): string[] {
    return (s.propertyDependencies[prop] ?? [])
        .filter((u) => urnType(u) === type)
        .map((u) => tryGet(stack.byUrn(u)?.props, "metadata.name"))
        .filter((n): n is string => typeof n === "string");
}

function bindsAccount(stack: StackView, binding: Subject, account: string, namespace: string): boolean {
    return asArray(get(binding.props, "subjects")).map(asRecord).some((s) => {
        if (s["kind"] !== "ServiceAccount") return false;
        const name = known(() => s["name"]);
        const named = name === UNKNOWN ? namesFrom(stack, binding, "subjects", SERVICE_ACCOUNT).includes(account) : name === account;
        const ns = known(() => s["namespace"]);
        if (ns === UNKNOWN) return named && namesFrom(stack, binding, "subjects", K8S.namespace).includes(namespace);
        return named && (asString(ns) ?? namespaceName(stack, binding)) === namespace;
    });
}

/**
 * Whether RBAC in the workload's cluster lets its service account update the Lease `lease` in
 * its namespace: a RoleBinding there (to a Role of that namespace or a ClusterRole), or a
 * ClusterRoleBinding to a ClusterRole. Bindings resolve roles by name within one cluster, or
 * through their dependency on the role when its name is unknown in preview. UNKNOWN when no
 * binding grants it and some binding could not be read.
 * `lease` undefined asks whether it may update any Lease.
 */
export function mayUpdateLease(stack: StackView, workload: Subject, lease: string | undefined): boolean | Unknown {
    const account = resolvedServiceAccount(stack, workload);
    const namespace = namespaceName(stack, workload);
    // Objects of the workload's cluster: those of its provider (none recorded: the default one).
    const ofCluster = (type: string) => ofTypeWithProvider(stack, type, workload.provider);
    const roleNamed = (kind: string, name: string) => {
        if (kind === "ClusterRole") return ofCluster(RBAC.clusterRole).find((r) => objectName(r) === name);
        for (const r of sameScope(stack, [RBAC.role], workload)) if (objectName(r) === name) return r;
        return undefined;
    };
    const rolesOf = (binding: Subject, namespaced: boolean): Subject[] | Unknown => {
        const name = tryGet(binding.props, "roleRef.name");
        if (name !== UNKNOWN) {
            const role = roleNamed(namespaced ? asString(get(binding.props, "roleRef.kind")) ?? "" : "ClusterRole", asString(name) ?? "");
            return role ? [role] : [];
        }
        const types: string[] = [RBAC.role, RBAC.clusterRole];
        const roles = (binding.propertyDependencies["roleRef"] ?? []).map((u) => stack.byUrn(u)).filter((r): r is Subject => r !== undefined && types.includes(r.type));
        return roles.length === 0 ? UNKNOWN : roles;
    };
    let unreadable = false;
    for (const binding of [...ofCluster(RBAC.roleBinding), ...ofCluster(RBAC.clusterRoleBinding)]) {
        const grants = known(() => {
            const namespaced = binding.type === RBAC.roleBinding;
            if (namespaced && namespaceName(stack, binding) !== namespace) return false;
            if (!bindsAccount(stack, binding, account, namespace)) return false;
            const roles = rolesOf(binding, namespaced);
            return roles === UNKNOWN ? UNKNOWN : roles.some((role) => grantsLeaseUpdate(role, lease));
        });
        if (grants === true) return true;
        if (grants === UNKNOWN) unreadable = true;
    }
    return unreadable ? UNKNOWN : false;
}
