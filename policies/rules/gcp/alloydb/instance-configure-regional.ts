import { resourceRule } from "../../../lib/rule";
import { asString, get } from "../../../lib/values";

export const gcpAlloydbInstanceConfigureRegional = resourceRule({
    name: "gcp-alloydb-instance-configure-regional",
    description: "An AlloyDB primary instance must be REGIONAL, so that a standby in another zone takes over when its zone fails.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "alloydb",
    resource: "instance",
    fix: "Leave `availabilityType` unset (REGIONAL is the default) or set it to `\"REGIONAL\"`; a read pool of one node is zonal by nature, give it `readPoolConfig.nodeCount >= 2`.",
    types: ["gcp:alloydb/instance:Instance"],
    check(r, ctx) {
        const type = asString(get(r.props, "instanceType")) ?? "PRIMARY";
        if (type === "READ_POOL") return; // Reads can move to the primary; the read pool is capacity, not the database.
        if (get(r.props, "availabilityType") === "ZONAL") {
            ctx.report(
                `AlloyDB ${type === "SECONDARY" ? "secondary" : "primary"} instance "${r.name}" is ZONAL, so losing its zone takes the database down; set availabilityType: "REGIONAL".`,
            );
        }
    },
});
