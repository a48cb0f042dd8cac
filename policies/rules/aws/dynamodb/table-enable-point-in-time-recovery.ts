import { resourceRule } from "../../../lib/rule";
import { asArray, asRecord, asString, get } from "../../../lib/values";

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
        // A global table's replica is restored on its own: each keeps its own recovery window.
        const off = asArray(get(r.props, "replicas")).map(asRecord).filter((replica) => replica["pointInTimeRecovery"] !== true);
        if (off.length > 0) {
            const regions = off.map((replica) => asString(replica["regionName"]) ?? "?").join(", ");
            ctx.report(
                `DynamoDB table "${r.name}" has point-in-time recovery off on its replica${off.length === 1 ? "" : "s"} in ${regions}, so after a failover to ${off.length === 1 ? "it" : "them"} a bad write or delete cannot be undone there; set pointInTimeRecovery: true on each entry of replicas.`,
            );
        }
    },
});
