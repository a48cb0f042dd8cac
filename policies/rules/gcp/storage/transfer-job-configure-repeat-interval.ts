import { resourceRule } from "../../../lib/rule";
import { get } from "../../../lib/values";

/** Storage Transfer rejects a schedule that repeats more often than this. */
const MIN_REPEAT_SECONDS = 3600;

export const gcpStorageTransferJobConfigureRepeatInterval = resourceRule({
    name: "gcp-storage-transfer-job-configure-repeat-interval",
    description: "A scheduled Storage Transfer job must repeat at most hourly, or the API rejects it and backups never leave the source cloud.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "storage",
    resource: "transfer-job",
    fix: "Set `schedule.repeatInterval` to at least `3600s` (and budget the hour in the RPO), or copy event-driven with `eventStream`.",
    types: ["gcp:storage/transferJob:TransferJob"],
    check(r, ctx) {
        const interval = get(r.props, "schedule.repeatInterval");
        if (typeof interval !== "string") return;
        const seconds = /^(\d+(?:\.\d+)?)s$/.exec(interval);
        if (seconds && Number(seconds[1]) < MIN_REPEAT_SECONDS) {
            ctx.report(`Storage Transfer job "${r.name}" repeats every ${interval}, below the ${MIN_REPEAT_SECONDS}s the API accepts, so it is never created and no backup leaves the source cloud; set schedule.repeatInterval to at least ${MIN_REPEAT_SECONDS}s or use eventStream.`);
        }
    },
});
