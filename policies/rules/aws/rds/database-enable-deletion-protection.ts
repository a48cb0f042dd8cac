import { resourceRule } from "../../../lib/rule";
import { get } from "../../../lib/values";
import { RDS_DATABASES, rdsDatabaseKind } from "./database-configure-backup-retention";

export const awsRdsDatabaseEnableDeletionProtection = resourceRule({
    name: "aws-rds-database-enable-deletion-protection",
    description: "An RDS instance or Aurora cluster should have deletion protection, so that one mistaken update or destroy cannot delete the database with all its copies.",
    severity: "medium",
    enforcementLevel: "advisory",
    provider: "aws",
    service: "rds",
    resource: "database",
    fix: "Set `deletionProtection: true` (turn it off explicitly in the one update that retires the database).",
    types: RDS_DATABASES,
    check(r, ctx) {
        const kind = rdsDatabaseKind(r.type, r.props);
        if (kind === undefined) return;
        if (get(r.props, "deletionProtection") !== true) {
            ctx.report(
                `${kind} "${r.name}" has deletion protection off, so one mistaken replacement or destroy deletes it together with its standby and replicas; set deletionProtection: true.`,
            );
        }
    },
});
