import { failoverRole, ROUTE53 } from "../../../lib/route53";
import { stackRule, type Subject } from "../../../lib/rule";
import { asString, get, tryGet } from "../../../lib/values";

function zoneKey(r: Subject): string {
    const zone = tryGet(r.props, "zoneId");
    return typeof zone === "string" ? zone : (r.propertyDependencies["zoneId"] ?? []).join(",") || "?";
}

export const awsRoute53RecordMissingSecondary = stackRule({
    name: "aws-route53-record-missing-secondary",
    description: "A failover PRIMARY record must have a SECONDARY with the same zone, name and type, or there is nothing to fail over to.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "route53",
    resource: "record",
    fix: "Declare an `aws.route53.Record` with the same `zoneId`, `name` and `type`, `failoverRoutingPolicies: [{ type: \"SECONDARY\" }]` and its own `setIdentifier`, pointing at the DR endpoint.",
    requires: ROUTE53.record,
    check(stack, ctx) {
        const secondaries = new Set<string>();
        const primaries: { key: string; record: Subject }[] = [];
        stack.each(stack.ofType(ROUTE53.record), ctx, (r) => {
            const role = failoverRole(r);
            if (role === undefined) return;
            const key = `${zoneKey(r)}|${asString(get(r.props, "name"))}|${asString(get(r.props, "type"))}`;
            if (role === "SECONDARY") secondaries.add(key);
            if (role === "PRIMARY") primaries.push({ key, record: r });
        });
        for (const { key, record } of primaries) {
            if (!secondaries.has(key)) {
                const name = asString(get(record.props, "name")) ?? record.name;
                const type = asString(get(record.props, "type")) ?? "?";
                ctx.report(
                    `Failover PRIMARY record "${record.name}" has no SECONDARY for ${name} ${type}, so DNS has nowhere to send traffic when the primary fails; declare a SECONDARY record with the same zoneId, name and type pointing at the DR endpoint.`,
                    record.urn,
                );
            }
        }
    },
});
