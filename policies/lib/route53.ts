import type { Subject } from "./rule";
import { asArray, asRecord, asString, get } from "./values";

export const ROUTE53 = {
    record: "aws:route53/record:Record",
    healthCheck: "aws:route53/healthCheck:HealthCheck",
} as const;

/** "PRIMARY" / "SECONDARY" of a failover record, undefined for any other routing. */
export function failoverRole(record: Subject): string | undefined {
    const policy = asRecord(asArray(get(record.props, "failoverRoutingPolicies"))[0]);
    return asString(policy["type"]);
}
