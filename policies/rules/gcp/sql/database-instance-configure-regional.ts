import { resourceRule } from "../../../lib/rule";
import { asRecord, get, has } from "../../../lib/values";

export const gcpSqlDatabaseInstanceConfigureRegional = resourceRule({
    name: "gcp-sql-database-instance-configure-regional",
    description: "A Cloud SQL instance must be REGIONAL (high availability), so that a standby in another zone takes over when its zone fails.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "sql",
    resource: "database-instance",
    fix: "Set `settings.availabilityType: \"REGIONAL\"` (safe to remediate).",
    types: ["gcp:sql/databaseInstance:DatabaseInstance"],
    check(r, ctx) {
        if (has(r.props, "masterInstanceName")) return; // Read replicas follow their primary.
        if (get(r.props, "settings.availabilityType") !== "REGIONAL") {
            ctx.report(`Cloud SQL instance "${r.name}" is zonal, so losing its zone takes the database down; set settings.availabilityType: "REGIONAL".`);
        }
    },
    remediate(props) {
        if (has(props, "masterInstanceName") || get(props, "settings.availabilityType") === "REGIONAL") return undefined;
        return { ...props, settings: { ...asRecord(props["settings"]), availabilityType: "REGIONAL" } };
    },
});
