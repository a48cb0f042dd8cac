import type { StackView, Subject } from "./rule";
import { indexBy, resolveRefs } from "./stack";
import { tryGet, UNKNOWN, type Unknown } from "./values";

export const AWS = {
    subnet: "aws:ec2/subnet:Subnet",
    natGateway: "aws:ec2/natGateway:NatGateway",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    routeTableAssociation: "aws:ec2/routeTableAssociation:RouteTableAssociation",
} as const;

/** The S3 bucket resources, current and legacy. */
export const S3_BUCKETS = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];

/** Resolves subnet references to their availability zones, through the Subnet resources of the stack. */
export class SubnetZones {
    private readonly index: Map<string, Subject>;

    constructor(private readonly stack: StackView) {
        this.index = indexBy(stack.ofType(AWS.subnet), "id", "arn");
    }

    /** AZs of the subnets that `prop` of `subject` names, or UNKNOWN when they cannot be resolved. */
    zonesOf(subject: Subject, prop: string): Set<string> | Unknown {
        const subnets = resolveRefs(this.stack, subject, prop, this.index, [AWS.subnet]);
        return subnets === UNKNOWN ? UNKNOWN : this.zones(subnets);
    }

    zones(subnets: Subject[]): Set<string> | Unknown {
        const zones = new Set<string>();
        for (const s of subnets) {
            const az = tryGet(s.props, "availabilityZone");
            const azId = tryGet(s.props, "availabilityZoneId");
            const zone = typeof az === "string" ? az : typeof azId === "string" ? azId : undefined;
            if (zone === undefined) {
                return UNKNOWN;
            }
            zones.add(zone);
        }
        return zones;
    }
}

export function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}
