import type { StackView, Subject } from "./rule";
import { indexBy, resolveRefs } from "./stack";
import { asArray, tryGet, UNKNOWN } from "./values";

/** Load balancer target types and what attaches targets to them. */
export const LB_TARGETS = {
    targetGroups: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
    classicElb: "aws:elb/loadBalancer:LoadBalancer",
    /** `targetGroupArn` + `targetId`. */
    targetGroupAttachments: ["aws:lb/targetGroupAttachment:TargetGroupAttachment", "aws:alb/targetGroupAttachment:TargetGroupAttachment"],
    /** `elb` + `instance`. */
    elbAttachment: "aws:elb/attachment:Attachment",
    /** Attach an Auto Scaling group (`autoscalingGroupName`) to a target group or classic ELB. */
    groupAttachments: ["aws:autoscaling/attachment:Attachment", "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment"],
    group: "aws:autoscaling/group:Group",
    instance: "aws:ec2/instance:Instance",
} as const;

/** Who sends a target group or classic ELB its targets. */
export interface TargetSources {
    /** Distinct registered targets: an instance or address, by id when known, else by URN. */
    targets: Map<string, Subject | undefined>;
    /** Auto Scaling groups that register their instances. */
    groups: Subject[];
    /** Attachments whose target cannot be told during preview. */
    unknown: Subject[];
}

function refValues(s: Subject, prop: string): string[] {
    const v = tryGet(s.props, prop);
    return (Array.isArray(v) ? asArray(v) : [v]).filter((x): x is string => typeof x === "string");
}

/**
 * The targets of every target group and classic ELB of the stack, by URN: attachments (by the
 * balancer's id, ARN or name, or the engine's property dependencies), an ELB's own `instances`,
 * and Auto Scaling groups that name the balancer or are attached to it.
 */
export function targetSources(stack: StackView): Map<string, TargetSources> {
    const balancers = [...stack.ofType(...LB_TARGETS.targetGroups), ...stack.ofType(LB_TARGETS.classicElb)];
    const index = indexBy(balancers, "id", "arn", "name");
    const instances = indexBy(stack.ofType(LB_TARGETS.instance), "id", "arn");
    const result = new Map<string, TargetSources>(balancers.map((b) => [b.urn, { targets: new Map(), groups: [], unknown: [] }]));
    const balancerTypes = [...LB_TARGETS.targetGroups, LB_TARGETS.classicElb];
    const sourcesOf = (s: Subject, prop: string): TargetSources[] => {
        const found = resolveRefs(stack, s, prop, index, balancerTypes);
        return found === UNKNOWN ? [] : found.map((b) => result.get(b.urn)).filter((x): x is TargetSources => x !== undefined);
    };
    const addTarget = (to: TargetSources, attachment: Subject, prop: string) => {
        const id = tryGet(attachment.props, prop);
        const dep = (attachment.propertyDependencies[prop] ?? []).map((u) => stack.byUrn(u)).find((x) => x?.type === LB_TARGETS.instance);
        if (typeof id === "string") to.targets.set(id, instances.get(id) ?? dep);
        else if (dep) to.targets.set(dep.urn, dep);
        else to.unknown.push(attachment);
    };
    for (const a of stack.ofType(...LB_TARGETS.targetGroupAttachments)) for (const to of sourcesOf(a, "targetGroupArn")) addTarget(to, a, "targetId");
    for (const a of stack.ofType(LB_TARGETS.elbAttachment)) for (const to of sourcesOf(a, "elb")) addTarget(to, a, "instance");
    for (const elb of stack.ofType(LB_TARGETS.classicElb)) {
        const to = result.get(elb.urn) as TargetSources;
        for (const id of refValues(elb, "instances")) to.targets.set(id, instances.get(id));
    }
    const groups = stack.ofType(LB_TARGETS.group);
    const groupIndex = indexBy(groups, "id", "name");
    for (const g of groups) {
        const names = [...refValues(g, "targetGroupArns"), ...refValues(g, "loadBalancers")];
        names.push(...asArray(tryGet(g.props, "trafficSources")).map((t) => tryGet(t, "identifier")).filter((x): x is string => typeof x === "string"));
        const deps = ["targetGroupArns", "loadBalancers", "trafficSources"].flatMap((k) => g.propertyDependencies[k] ?? []);
        const named = new Set([...names.map((n) => index.get(n)?.urn), ...deps]);
        for (const urn of named) if (urn !== undefined) result.get(urn)?.groups.push(g);
    }
    for (const a of stack.ofType(...LB_TARGETS.groupAttachments)) {
        const owners = resolveRefs(stack, a, "autoscalingGroupName", groupIndex, [LB_TARGETS.group]);
        if (owners === UNKNOWN || owners.length === 0) continue;
        const lbRef = a.type === LB_TARGETS.groupAttachments[0] ? ["lbTargetGroupArn", "elb"] : ["trafficSource"];
        for (const prop of lbRef) {
            const v = tryGet(a.props, prop === "trafficSource" ? "trafficSource.identifier" : prop);
            const byValue = typeof v === "string" ? index.get(v) : undefined;
            const byDep = (a.propertyDependencies[prop] ?? []).map((u) => result.has(u) ? u : undefined);
            for (const urn of [byValue?.urn, ...byDep]) if (urn !== undefined) result.get(urn)?.groups.push(...owners);
        }
    }
    return result;
}
