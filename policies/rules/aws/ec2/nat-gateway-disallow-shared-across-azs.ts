import { AWS, SubnetZones } from "../../../lib/aws";
import { stackRule, type StackView, type Subject } from "../../../lib/rule";
import { indexBy, resolveRefs } from "../../../lib/stack";
import { asArray, asRecord, tryGet, UNKNOWN } from "../../../lib/values";

/** NAT gateways a route table sends traffic to (inline routes plus separate Route resources). */
function natsByTable(stack: StackView, nats: Map<string, Subject>, tables: Map<string, Subject>): Map<string, Set<Subject>> {
    const result = new Map<string, Set<Subject>>();
    const add = (table: Subject, nat: Subject) => {
        const set = result.get(table.urn) ?? new Set<Subject>();
        set.add(nat);
        result.set(table.urn, set);
    };
    for (const t of stack.ofType(AWS.routeTable)) {
        const routes = asArray(tryGet(t.props, "routes")).map(asRecord);
        let unresolved = false;
        for (const route of routes) {
            const id = tryGet(route, "natGatewayId");
            if (id === undefined || id === null || id === "") continue;
            const nat = typeof id === "string" ? nats.get(id) : undefined;
            if (nat) add(t, nat);
            else unresolved = true;
        }
        if (unresolved) {
            // Preview: the NAT ids are unknown, but the engine records which resources `routes` depends on.
            for (const urn of t.propertyDependencies["routes"] ?? []) {
                const dep = stack.byUrn(urn);
                if (dep?.type === AWS.natGateway) add(t, dep);
            }
        }
    }
    for (const r of stack.ofType(AWS.route)) {
        const natRefs = resolveRefs(stack, r, "natGatewayId", nats, [AWS.natGateway]);
        const tableRefs = resolveRefs(stack, r, "routeTableId", tables, [AWS.routeTable]);
        if (natRefs === UNKNOWN || tableRefs === UNKNOWN) continue;
        for (const t of tableRefs) for (const n of natRefs) add(t, n);
    }
    return result;
}

export const awsEc2NatGatewayDisallowSharedAcrossAzs = stackRule({
    name: "aws-ec2-nat-gateway-disallow-shared-across-azs",
    description: "A NAT gateway must serve private subnets of one AZ only, so that losing its AZ does not cut the others off.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "ec2",
    resource: "nat-gateway",
    fix: "Declare one NAT gateway per AZ and route each AZ's private route table to the NAT gateway of the same AZ.",
    requires: AWS.natGateway,
    check(stack, ctx) {
        const natList = stack.ofType(AWS.natGateway);
        if (natList.length === 0) return;
        const nats = indexBy(natList, "id");
        const tables = indexBy(stack.ofType(AWS.routeTable), "id");
        const subnets = new SubnetZones(stack);
        const byTable = natsByTable(stack, nats, tables);
        const zonesByNat = new Map<string, Set<string>>();
        stack.each(stack.ofType(AWS.routeTableAssociation), ctx, (a) => {
            const tableRefs = resolveRefs(stack, a, "routeTableId", tables, [AWS.routeTable]);
            if (tableRefs === UNKNOWN) return;
            const natSet = new Set(tableRefs.flatMap((t) => [...(byTable.get(t.urn) ?? [])]));
            if (natSet.size === 0) return;
            const zones = subnets.zonesOf(a, "subnetId");
            if (zones === UNKNOWN) {
                ctx.undecided(a.urn, "the AZ of its subnet cannot be resolved");
                return;
            }
            for (const nat of natSet) {
                const set = zonesByNat.get(nat.urn) ?? new Set<string>();
                zones.forEach((z) => set.add(z));
                zonesByNat.set(nat.urn, set);
            }
        });
        for (const nat of natList) {
            const zones = [...(zonesByNat.get(nat.urn) ?? [])].sort();
            if (zones.length > 1) {
                ctx.report(
                    `NAT gateway "${nat.name}" carries the outbound traffic of private subnets in ${zones.length} AZs (${zones.join(", ")}), so losing its AZ cuts all of them off; declare one NAT gateway per AZ and point each private route table's natGatewayId at its own AZ's gateway.`,
                    nat.urn,
                );
            }
        }
    },
});
