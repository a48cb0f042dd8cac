import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { PackHost } from "../../policies/check/host";
import { parseStateExport } from "../../policies/check/input";
import { runCheck } from "../../policies/check/run";
import { urnName } from "../../policies/lib/settings";
import { FIXTURES } from "./harness";

// What the real engine sent the pack on the first `pulumi preview --policy-pack policies` of a
// fresh prod stack (test/engine, PULUMI_DEBUG_GRPC): each resource's Analyze inputs and
// AnalyzeStack outputs, as a stack export. Ids of resources still to be created are unknown,
// lists hold unknown elements (a node group's subnetIds), namespaces, service-account and role
// names come from objects still to be created, a Kubernetes provider's resources reach
// AnalyzeStack with no properties, and a certificate ARN, a KMS key and alert queries are
// unknown. The pack must decide all of it through property dependencies and what the engine
// sends, and say "cannot decide" only where the engine sends nothing that tells.
const RECORDED = path.join(FIXTURES, "engine", "prod-first-preview.json.gz");

describe("the first preview of prod, as the real engine sent it", () => {
    let host: PackHost;
    before(async () => { host = await PackHost.start(); });
    after(() => host.close());

    it("decides every rule but whether the serving Deployments apply the journal (REPLICATION_APPLY is computed from bucket names) and whether an alert watches the standby (queries scoped to a cluster to be created)", async () => {
        const state = parseStateExport(gunzipSync(fs.readFileSync(RECORDED)).toString("utf8"), RECORDED);
        const { findings } = await runCheck(state, { host, stack: "prod" });
        const seen = findings.map((f) => `${f.level} ${f.policy} ${urnName(f.urn)}: ${f.message}`).sort();
        const undecidedApply = (side: string) =>
            `advisory kubernetes-replication-follower-missing-election prod-${side}-app-deployment: Cannot decide kubernetes-replication-follower-missing-election for "prod-${side}-app-deployment" during preview: its env REPLICATION_APPLY, which says whether it applies the journal, is unknown, and it has no Lease its service account may update.`;
        // The Cloud Monitoring alert policies' queries are scoped to a cluster still to be created.
        const undecidedStandbyAlert =
            `advisory stack-dr-failover-missing-alert prod-dns-secondary: Cannot decide stack-dr-failover-missing-alert for "prod-dns-secondary" during preview: an alert rule's expression is unknown, so whether one watches the standby (replication_fit_for_failover or replication_lag_seconds) cannot be told.`;
        assert.deepEqual(seen, [undecidedApply("aws"), undecidedApply("gcp"), undecidedStandbyAlert]);
    });
});
