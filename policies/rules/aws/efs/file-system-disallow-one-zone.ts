import { resourceRule } from "../../../lib/rule";
import { has, tryGet } from "../../../lib/values";

export const awsEfsFileSystemDisallowOneZone = resourceRule({
    name: "aws-efs-file-system-disallow-one-zone",
    description: "An EFS file system must be Regional, not One Zone, so that its data and mount targets survive the loss of an AZ.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "efs",
    resource: "file-system",
    fix: "Leave `availabilityZoneName` unset (Regional storage, replaces the file system) and declare a mount target in every AZ of the workload.",
    types: ["aws:efs/fileSystem:FileSystem"],
    check(r, ctx) {
        if (has(r.props, "availabilityZoneName")) {
            const zone = tryGet(r.props, "availabilityZoneName");
            ctx.report(
                `EFS file system "${r.name}" is One Zone${typeof zone === "string" ? ` (${zone})` : ""}, so losing that AZ makes its data unavailable and may lose it; leave availabilityZoneName unset for Regional storage.`,
            );
        }
    },
});
