import { resourceRule } from "../../../lib/rule";
import { asString, has } from "../../../lib/values";

/** Aurora instances take their availability from the cluster; read replicas from their source. */
function isClusterMemberOrReplica(props: Record<string, unknown>): boolean {
    return (asString(props["engine"]) ?? "").startsWith("aurora") || has(props, "clusterIdentifier") || has(props, "replicateSourceDb");
}

export const awsRdsInstanceEnableMultiAz = resourceRule({
    name: "aws-rds-instance-enable-multi-az",
    description: "An RDS DB instance must be Multi-AZ, so that a standby in another AZ takes over when its AZ fails.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "rds",
    resource: "instance",
    fix: "Set `multiAz: true` on the `aws.rds.Instance` (safe to remediate: the pack sets it under `remediate`).",
    types: ["aws:rds/instance:Instance"],
    check(r, ctx) {
        if (isClusterMemberOrReplica(r.props)) {
            return;
        }
        if (r.props["multiAz"] !== true) {
            ctx.report(`RDS instance "${r.name}" runs in a single AZ, so losing that AZ takes the database down; set multiAz: true.`);
        }
    },
    remediate(props) {
        if (isClusterMemberOrReplica(props) || props["multiAz"] === true) {
            return undefined;
        }
        return { ...props, multiAz: true };
    },
});
