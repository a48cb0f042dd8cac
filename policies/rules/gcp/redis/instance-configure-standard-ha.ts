import { resourceRule } from "../../../lib/rule";

export const gcpRedisInstanceConfigureStandardHa = resourceRule({
    name: "gcp-redis-instance-configure-standard-ha",
    description: "A Memorystore for Redis instance must use the STANDARD_HA tier, so that a replica in another zone takes over from a failed primary.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "redis",
    resource: "instance",
    fix: "Set `tier: \"STANDARD_HA\"` (this replaces the instance, so it is not remediated automatically).",
    types: ["gcp:redis/instance:Instance"],
    check(r, ctx) {
        if (r.props["tier"] !== "STANDARD_HA") {
            ctx.report(`Memorystore instance "${r.name}" uses the BASIC tier, a single node with no replica, so one node failure loses the cache; set tier: "STANDARD_HA".`);
        }
    },
});
