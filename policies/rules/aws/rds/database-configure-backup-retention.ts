import { resourceRule } from "../../../lib/rule";
import { asNumber, asString, get, has } from "../../../lib/values";

export const RDS_DATABASES = ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"] as const;

/** What kind of RDS database, for messages; undefined for those whose backups live elsewhere. */
export function rdsDatabaseKind(type: string, props: Record<string, unknown>): string | undefined {
    if (type === "aws:rds/cluster:Cluster") return (asString(get(props, "engine")) ?? "aurora").startsWith("aurora") ? "Aurora cluster" : "RDS cluster";
    // Aurora instances take backups and protection from their cluster; read replicas are copies of a source.
    if ((asString(get(props, "engine")) ?? "").startsWith("aurora") || has(props, "replicateSourceDb")) return undefined;
    return "RDS instance";
}

export const awsRdsDatabaseConfigureBackupRetention = resourceRule({
    name: "aws-rds-database-configure-backup-retention",
    description: "An RDS instance or Aurora cluster must keep automated backups, so that a bad write or a dropped table can be undone by restoring to a point in time.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "rds",
    resource: "database",
    fix: "Set `backupRetentionPeriod` to at least 1 day (7 or more for production); 0 turns automated backups and point-in-time restore off.",
    types: RDS_DATABASES,
    check(r, ctx) {
        const kind = rdsDatabaseKind(r.type, r.props);
        if (kind === undefined) return;
        if (asNumber(get(r.props, "backupRetentionPeriod")) === 0) {
            ctx.report(
                `${kind} "${r.name}" keeps no automated backups (backupRetentionPeriod 0), so a bad write or a dropped table, which Multi-AZ copies to the standby at once, cannot be undone; set backupRetentionPeriod to at least 1 day (7 for production).`,
            );
        }
    },
});
