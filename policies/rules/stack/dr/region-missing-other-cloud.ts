import { CLUSTER_TYPES, otherCloud, primaryCloud } from "../../../lib/clouds";
import { stackRule } from "../../../lib/rule";

export const stackDrRegionMissingOtherCloud = stackRule({
    name: "stack-dr-region-missing-other-cloud",
    description: "A stack that serves from one cloud must declare a disaster-recovery side in the other cloud, so that losing the primary region or provider is survivable.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "stack",
    service: "dr",
    resource: "region",
    fix: "Declare the DR region in the other cloud (e.g. the GKE cluster for an AWS primary), warm or pilot-light.",
    check(stack, ctx) {
        const primary = primaryCloud(stack);
        if (primary === undefined) return;
        const dr = otherCloud(primary);
        const drCluster = CLUSTER_TYPES[dr] ?? "";
        if (stack.ofType(drCluster).length === 0) {
            ctx.report(
                `Stack "${stack.stack?.name ?? "?"}" serves from ${primary} with no DR side in ${dr} (no ${drCluster}), so losing the ${primary} region takes the service down; declare the DR region in ${dr}.`,
                stack.stack?.urn,
            );
        }
    },
});
