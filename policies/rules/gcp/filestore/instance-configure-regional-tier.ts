import { resourceRule } from "../../../lib/rule";
import { asString, get } from "../../../lib/values";

/** Filestore tiers that keep data in more than one zone of a region. */
const REGIONAL_TIERS = ["ENTERPRISE", "REGIONAL"];

export const gcpFilestoreInstanceConfigureRegionalTier = resourceRule({
    name: "gcp-filestore-instance-configure-regional-tier",
    description: "A Filestore instance must use a regional tier (REGIONAL or ENTERPRISE), so that its share survives the loss of a zone.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "filestore",
    resource: "instance",
    fix: "Set `tier: \"REGIONAL\"` (or `\"ENTERPRISE\"`) and a region as `location`; this replaces the instance, so copy the data first.",
    types: ["gcp:filestore/instance:Instance"],
    check(r, ctx) {
        const tier = asString(get(r.props, "tier")) ?? "";
        if (!REGIONAL_TIERS.includes(tier.toUpperCase())) {
            ctx.report(
                `Filestore instance "${r.name}" uses the zonal tier ${tier || "(unset)"}, so losing its zone makes the share unavailable; set tier: "REGIONAL" (or "ENTERPRISE") with a region as location.`,
            );
        }
    },
});
