import type { StackView, Subject } from "./rule";
import { indexBy, resolveRefsDetailed } from "./stack";
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

/** The AZs a set of subnet references covers, and how many of the subnets could not be told. */
export interface ZoneSpread {
    zones: Set<string>;
    /** Subnets unknown in preview, outside the stack (a StackReference output) or with an unknown AZ. */
    unresolved: number;
}

/** Resolves subnet references to their availability zones, through the Subnet resources of the stack. */
export class SubnetZones {
    private readonly index: Map<string, Subject>;

    constructor(private readonly stack: StackView) {
        this.index = indexBy(stack.ofType(AWS.subnet), "id", "arn");
    }

    /** AZs of the subnets that `prop` of `subject` names, with the count of those it cannot tell. */
    spreadOf(subject: Subject, prop: string): ZoneSpread {
        const refs = resolveRefsDetailed(this.stack, subject, prop, this.index, [AWS.subnet]);
        const spread = this.spread(refs.found);
        spread.unresolved += refs.unknown + refs.external;
        return spread;
    }

    /** AZs of the subnets that `prop` of `subject` names, or UNKNOWN when any cannot be told. */
    zonesOf(subject: Subject, prop: string): Set<string> | Unknown {
        const spread = this.spreadOf(subject, prop);
        return spread.unresolved > 0 ? UNKNOWN : spread.zones;
    }

    spread(subnets: Subject[]): ZoneSpread {
        const zones = new Set<string>();
        let unresolved = 0;
        for (const s of subnets) {
            const az = tryGet(s.props, "availabilityZone");
            const azId = tryGet(s.props, "availabilityZoneId");
            const zone = typeof az === "string" ? az : typeof azId === "string" ? azId : undefined;
            if (zone === undefined) unresolved++;
            else zones.add(zone);
        }
        return { zones, unresolved };
    }
}

/** Why a spread short of the minimum cannot be judged, or undefined when it can. */
export function unresolvedReason(spread: ZoneSpread, prop: string): string | undefined {
    if (spread.unresolved === 0) return undefined;
    return `${spread.unresolved === 1 ? "one" : spread.unresolved} of its ${prop} cannot be resolved to a subnet of the stack with a known AZ (unknown in preview, or outside the stack), and the AZs known so far are too few to pass`;
}

export function plural(n: number, word: string): string {
    return `${n} ${word}${n === 1 ? "" : "s"}`;
}
