import {
    ChangeResourceRecordSetsCommand,
    GetChangeCommand,
    GetHealthCheckCommand,
    GetHealthCheckStatusCommand,
    ListResourceRecordSetsCommand,
    Route53Client,
    TestDNSAnswerCommand,
    type ResourceRecordSet,
} from "@aws-sdk/client-route-53";
import { otherSide, type Side } from "../sides";
import type { DnsControl, FailoverRecords, HealthCheckState } from "./types";

export interface Route53Target {
    hostedZoneId: string;
    /** The service's name, e.g. rag.example.com. */
    domain: string;
    regionalNames: Record<Side, string>;
    healthCheckIds: Record<Side, string>;
}

/** Route53 answers "more than 18 % of checkers report healthy" as healthy. */
const HEALTHY_CHECKER_SHARE = 0.18;

const fqdn = (name: string) => (name.endsWith(".") ? name : `${name}.`);
const bare = (name: string) => name.replace(/\.$/, "");

/**
 * Route53 through its global API (no region of ours needs to be up). Failover moves traffic by
 * swapping the PRIMARY and SECONDARY records in one atomic change, the same records the program
 * declares for `dr.activeSide`. Health checks are only read: an inverted check of a dead
 * endpoint reads healthy, and a disabled one always reads healthy, so neither is used to steer.
 */
export class Route53Dns implements DnsControl {
    constructor(
        private readonly target: Route53Target,
        private readonly client = new Route53Client({ region: "us-east-1", maxAttempts: 3 }),
        private readonly pollMs = 2_000,
        private readonly syncTimeoutMs = 180_000,
    ) {}

    async records(): Promise<FailoverRecords> {
        const sets = await this.failoverSets();
        const primary = sets.find((s) => s.Failover === "PRIMARY");
        const secondary = sets.find((s) => s.Failover === "SECONDARY");
        if (!primary || !secondary) throw new Error(`Route53 zone ${this.target.hostedZoneId} has no PRIMARY/SECONDARY failover pair for ${this.target.domain}`);
        return { primary: this.sideOf(primary), secondary: this.sideOf(secondary), ttlSeconds: primary.TTL ?? 0 };
    }

    async healthCheck(side: Side): Promise<HealthCheckState> {
        const id = this.target.healthCheckIds[side];
        const [status, check] = await Promise.all([
            this.client.send(new GetHealthCheckStatusCommand({ HealthCheckId: id })),
            this.client.send(new GetHealthCheckCommand({ HealthCheckId: id })),
        ]);
        const observations = status.HealthCheckObservations ?? [];
        const healthyCheckers = observations.filter((o) => (o.StatusReport?.Status ?? "").startsWith("Success")).length;
        const config = check.HealthCheck?.HealthCheckConfig;
        return {
            healthy: observations.length > 0 && healthyCheckers / observations.length > HEALTHY_CHECKER_SHARE,
            checkers: observations.length,
            healthyCheckers,
            inverted: config?.Inverted === true,
            disabled: config?.Disabled === true,
        };
    }

    async makePrimary(side: Side): Promise<{ changed: boolean }> {
        const sets = await this.failoverSets();
        const current = sets.find((s) => s.Failover === "PRIMARY");
        if (current && this.sideOf(current) === side && sets.length === 2) return { changed: false };
        const ttl = current?.TTL ?? sets[0]?.TTL ?? 30;
        const record = (s: Side, role: "PRIMARY" | "SECONDARY"): ResourceRecordSet => ({
            Name: fqdn(this.target.domain),
            Type: "CNAME",
            SetIdentifier: `${s}-${role.toLowerCase()}`,
            Failover: role,
            TTL: ttl,
            ResourceRecords: [{ Value: this.target.regionalNames[s] }],
            HealthCheckId: this.target.healthCheckIds[s],
        });
        const { ChangeInfo } = await this.client.send(new ChangeResourceRecordSetsCommand({
            HostedZoneId: this.target.hostedZoneId,
            ChangeBatch: {
                Comment: `dr: ${side} becomes PRIMARY`,
                Changes: [
                    ...sets.map((s) => ({ Action: "DELETE" as const, ResourceRecordSet: s })),
                    { Action: "CREATE" as const, ResourceRecordSet: record(side, "PRIMARY") },
                    { Action: "CREATE" as const, ResourceRecordSet: record(otherSide(side), "SECONDARY") },
                ],
            },
        }));
        await this.waitInSync(ChangeInfo?.Id);
        return { changed: true };
    }

    async answer(): Promise<string[]> {
        const answer = await this.client.send(new TestDNSAnswerCommand({ HostedZoneId: this.target.hostedZoneId, RecordName: this.target.domain, RecordType: "CNAME" }));
        return (answer.RecordData ?? []).map(bare);
    }

    private async waitInSync(changeId: string | undefined): Promise<void> {
        if (changeId === undefined) return;
        const deadline = Date.now() + this.syncTimeoutMs;
        for (;;) {
            const { ChangeInfo } = await this.client.send(new GetChangeCommand({ Id: changeId }));
            if (ChangeInfo?.Status === "INSYNC") return;
            if (Date.now() > deadline) throw new Error(`Route53 change ${changeId} not INSYNC after ${this.syncTimeoutMs / 1000} s`);
            await new Promise((r) => setTimeout(r, this.pollMs));
        }
    }

    /** The failover record sets of the service's name (CNAME). */
    private async failoverSets(): Promise<ResourceRecordSet[]> {
        const name = fqdn(this.target.domain);
        const page = await this.client.send(new ListResourceRecordSetsCommand({ HostedZoneId: this.target.hostedZoneId, StartRecordName: name, StartRecordType: "CNAME", MaxItems: 10 }));
        return (page.ResourceRecordSets ?? []).filter((s) => fqdn(s.Name ?? "") === name && s.Type === "CNAME" && s.Failover !== undefined);
    }

    private sideOf(set: ResourceRecordSet): Side {
        const value = bare(set.ResourceRecords?.[0]?.Value ?? "");
        if (value === bare(this.target.regionalNames.aws)) return "aws";
        if (value === bare(this.target.regionalNames.gcp)) return "gcp";
        throw new Error(`failover record ${set.SetIdentifier ?? "?"} points at ${value}, which is neither side's regional name`);
    }
}
