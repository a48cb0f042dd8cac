import { resourceRule } from "../../../lib/rule";
import { get } from "../../../lib/values";

export const awsDynamodbTableEnablePointInTimeRecovery = resourceRule({
    name: "aws-dynamodb-table-enable-point-in-time-recovery",
    description: "A DynamoDB table must have point-in-time recovery, so that a bad write or delete, which replicates to every AZ and replica, can be undone.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "dynamodb",
    resource: "table",
    fix: "Set `pointInTimeRecovery: { enabled: true }` (and `pointInTimeRecovery: true` on each global-table replica).",
    types: ["aws:dynamodb/table:Table"],
    check(r, ctx) {
        if (get(r.props, "pointInTimeRecovery.enabled") !== true) {
            ctx.report(
                `DynamoDB table "${r.name}" has point-in-time recovery off, so a bad write or delete, copied to every AZ at once, leaves no earlier state to restore; set pointInTimeRecovery: { enabled: true }.`,
            );
        }
    },
});
