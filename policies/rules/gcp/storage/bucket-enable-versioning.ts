import { resourceRule } from "../../../lib/rule";
import { asRecord, get } from "../../../lib/values";

export const gcpStorageBucketEnableVersioning = resourceRule({
    name: "gcp-storage-bucket-enable-versioning",
    description: "A Cloud Storage bucket holding backups must be versioned, so that an overwrite or delete does not destroy the only copy.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "gcp",
    service: "storage",
    resource: "bucket",
    fix: "Set `versioning: { enabled: true }` (safe to remediate).",
    types: ["gcp:storage/bucket:Bucket"],
    check(r, ctx) {
        if (get(r.props, "versioning.enabled") !== true) {
            ctx.report(`Cloud Storage bucket "${r.name}" is not versioned, so one bad overwrite or delete destroys the only copy of what it holds; set versioning: { enabled: true }.`);
        }
    },
    remediate(props) {
        if (get(props, "versioning.enabled") === true) return undefined;
        return { ...props, versioning: { ...asRecord(props["versioning"]), enabled: true } };
    },
});
