import assert from "node:assert/strict";
import { describe, it } from "./bdd";
import { registry } from "../../policies/rules";
import type { Subject } from "../../policies/lib/rule";

/**
 * The rules that remediate: the exact properties they return, and when they leave a resource
 * alone. One suite per rule, named as the rule (`npm run mutation` selects suites by rule name).
 */

function remediate(rule: string, props: Record<string, unknown>): Record<string, unknown> | undefined {
    const r = registry.get(rule);
    assert.ok(r?.kind === "resource" && r.remediate, `${rule} has no remediation`);
    // The remediations read only the properties; the subject is there for rules that need the stack.
    return r.remediate(props, {} as Subject);
}

describe("aws-rds-instance-enable-multi-az", () => {
    const rule = "aws-rds-instance-enable-multi-az";
    it("sets multiAz: true on a single-AZ instance, keeping its other properties", () => {
        assert.deepEqual(remediate(rule, { engine: "postgres", instanceClass: "db.r6g.large", multiAz: false }), { engine: "postgres", instanceClass: "db.r6g.large", multiAz: true });
        assert.deepEqual(remediate(rule, { engine: "mysql" }), { engine: "mysql", multiAz: true });
    });
    it("leaves a Multi-AZ instance, an Aurora member, a cluster member and a read replica alone", () => {
        assert.equal(remediate(rule, { engine: "postgres", multiAz: true }), undefined);
        assert.equal(remediate(rule, { engine: "aurora-postgresql" }), undefined);
        assert.equal(remediate(rule, { engine: "postgres", clusterIdentifier: "db-cluster" }), undefined);
        assert.equal(remediate(rule, { engine: "postgres", replicateSourceDb: "db-primary" }), undefined);
    });
});

describe("gcp-sql-database-instance-configure-regional", () => {
    const rule = "gcp-sql-database-instance-configure-regional";
    it("sets settings.availabilityType: REGIONAL on a zonal instance, keeping its other settings", () => {
        assert.deepEqual(remediate(rule, { databaseVersion: "POSTGRES_16", settings: { tier: "db-custom-2-7680", availabilityType: "ZONAL" } }), {
            databaseVersion: "POSTGRES_16",
            settings: { tier: "db-custom-2-7680", availabilityType: "REGIONAL" },
        });
        assert.deepEqual(remediate(rule, { databaseVersion: "POSTGRES_16" }), { databaseVersion: "POSTGRES_16", settings: { availabilityType: "REGIONAL" } });
    });
    it("leaves a regional instance and a read replica alone", () => {
        assert.equal(remediate(rule, { settings: { availabilityType: "REGIONAL" } }), undefined);
        assert.equal(remediate(rule, { masterInstanceName: "primary", settings: { availabilityType: "ZONAL" } }), undefined);
    });
});
