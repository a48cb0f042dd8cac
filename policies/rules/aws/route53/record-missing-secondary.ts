import { dnsName } from "../../../lib/endpoints";
import { failoverRole, ROUTE53 } from "../../../lib/route53";
import { stackRule, type Subject } from "../../../lib/rule";
import { pushTo } from "../../../lib/stack";
import { asString, get, knownElements, tryGet, UNKNOWN } from "../../../lib/values";

function zoneKey(r: Subject): string {
    const zone = tryGet(r.props, "zoneId");
    return typeof zone === "string" ? zone : (r.propertyDependencies["zoneId"] ?? []).join(",") || "?";
}

/**
 * Where a record sends traffic: its values, or its alias target, or (unknown in preview) the
 * resources they come from. Undefined when nothing tells.
 */
function targetOf(r: Subject): string | undefined {
    const records = tryGet(r.props, "records");
    if (Array.isArray(records) && records.length > 0) {
        const values = knownElements(records);
        if (values.every((v) => typeof v === "string")) return `records:${(values as string[]).map(dnsName).sort().join(",")}`;
    }
    const aliases = tryGet(r.props, "aliases");
    if (Array.isArray(aliases) && aliases.length > 0) {
        const name = tryGet(knownElements(aliases)[0], "name");
        if (typeof name === "string") return `alias:${dnsName(name)}`;
    }
    for (const prop of ["records", "aliases"]) {
        const deps = r.propertyDependencies[prop] ?? [];
        if (deps.length > 0 && (tryGet(r.props, prop) === UNKNOWN || Array.isArray(tryGet(r.props, prop)))) return `from:${[...deps].sort().join(",")}`;
    }
    return undefined;
}

export const awsRoute53RecordMissingSecondary = stackRule({
    name: "aws-route53-record-missing-secondary",
    description: "A failover PRIMARY record must have a SECONDARY with the same zone, name and type that points somewhere else, or there is nothing to fail over to.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "route53",
    resource: "record",
    fix: "Declare an `aws.route53.Record` with the same `zoneId`, `name` (a trailing dot does not matter) and `type`, `failoverRoutingPolicies: [{ type: \"SECONDARY\" }]` and its own `setIdentifier`, pointing at the DR endpoint, not the primary's.",
    requires: ROUTE53.record,
    check(stack, ctx) {
        const secondaries = new Map<string, Subject[]>();
        const primaries: { key: string; record: Subject }[] = [];
        stack.each(stack.ofType(ROUTE53.record), ctx, (r) => {
            const role = failoverRole(r);
            if (role === undefined) return;
            const key = `${zoneKey(r)}|${dnsName(asString(get(r.props, "name")) ?? "")}|${asString(get(r.props, "type"))}`;
            if (role === "SECONDARY") pushTo(secondaries, key, r);
            if (role === "PRIMARY") primaries.push({ key, record: r });
        });
        // The secondaries of each key by where they point, each secondary's target read once.
        const byTarget = new Map<string, Map<string | undefined, Subject[]>>();
        const secondariesTo = (key: string, target: string) => {
            let targets = byTarget.get(key);
            if (targets === undefined) {
                targets = new Map();
                for (const s of secondaries.get(key) ?? []) pushTo(targets, targetOf(s), s);
                byTarget.set(key, targets);
            }
            return targets.get(target) ?? [];
        };
        for (const { key, record } of primaries) {
            const name = asString(get(record.props, "name")) ?? record.name;
            const type = asString(get(record.props, "type")) ?? "?";
            const matching = secondaries.get(key) ?? [];
            if (matching.length === 0) {
                ctx.report(
                    `Failover PRIMARY record "${record.name}" has no SECONDARY for ${name} ${type}, so DNS has nowhere to send traffic when the primary fails; declare a SECONDARY record with the same zoneId, name and type pointing at the DR endpoint.`,
                    record.urn,
                );
                continue;
            }
            const target = targetOf(record);
            if (target === undefined) continue;
            for (const secondary of secondariesTo(key, target)) {
                ctx.report(
                    `Failover SECONDARY record "${secondary.name}" for ${name} ${type} points where PRIMARY "${record.name}" points, so failing over sends users to the same failed endpoint; point the SECONDARY at the DR endpoint.`,
                    secondary.urn,
                );
            }
        }
    },
});
