import { REPLICATED_WORKLOADS, kindOf } from "../../../lib/kubernetes";
import { followerEnv, mayUpdateLease, REPLICATION_ENV, resolvedServiceAccount } from "../../../lib/replication";
import { stackRule } from "../../../lib/rule";
import { UNKNOWN } from "../../../lib/values";

export const kubernetesReplicationFollowerMissingElection = stackRule({
    name: "kubernetes-replication-follower-missing-election",
    description: "A workload that applies the replication journal must elect its applier through a Kubernetes Lease its service account may update, so that replicas can take over from one another without two applying at once.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "kubernetes",
    service: "replication",
    resource: "follower",
    fix: "Set the container env `LEASE_NAME` to a Lease name, and bind the pods' service account to a Role granting `get`, `update`, `patch` on `leases` (apiGroup `coordination.k8s.io`) with that resourceName, plus `create`.",
    check(stack, ctx) {
        stack.each(stack.ofType(...REPLICATED_WORKLOADS), ctx, (w) => {
            const follower = followerEnv(w.props);
            if (follower === undefined) return;
            const what = `Replication follower ${kindOf(w.type)} "${w.name}"`;
            const lease = follower.env.get(REPLICATION_ENV.leaseName) ?? "";
            const may = typeof lease === "string" && lease !== "" ? mayUpdateLease(stack, w, lease) : false;
            if (may === true) return;
            if (!follower.certain) {
                ctx.undecided(w.urn, `its env REPLICATION_APPLY, which says whether it applies the journal, is unknown, and it has no Lease its service account may update`);
                return;
            }
            if (lease === UNKNOWN) {
                ctx.undecided(w.urn, `the name of its Lease (env ${REPLICATION_ENV.leaseName}) is unknown`);
            } else if (may === UNKNOWN) {
                ctx.undecided(w.urn, `a RoleBinding or ClusterRoleBinding of its cluster cannot be read, and none that can grants its service account the Lease "${lease}"`);
            } else if (lease === "") {
                ctx.report(
                    `${what} applies the journal without a leader election (env ${REPLICATION_ENV.leaseName} unset), so its replicas cannot take over from one another without applying at once; set ${REPLICATION_ENV.leaseName} and let its service account update that coordination.k8s.io Lease.`,
                    w.urn,
                );
            } else {
                ctx.report(
                    `${what} contends for Lease "${lease}" but no Role bound to its service account "${resolvedServiceAccount(stack, w)}" may update it, so no replica can become the applier; bind a Role granting get, update and patch on leases "${lease}" (coordination.k8s.io) to that service account.`,
                    w.urn,
                );
            }
        });
    },
});
