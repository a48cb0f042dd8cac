import { LB_TARGETS, targetSources } from "../../../lib/targets";
import { stackRule } from "../../../lib/rule";
import { get } from "../../../lib/values";

export const awsEc2InstanceDisallowSoleTarget = stackRule({
    name: "aws-ec2-instance-disallow-sole-target",
    description: "A target group or classic load balancer must not send all its traffic to one EC2 instance, which no load balancer can fail over from.",
    severity: "critical",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "ec2",
    resource: "instance",
    fix: "Register at least two instances in different AZs, or better, an Auto Scaling group (`targetGroupArns` / `loadBalancers`) spanning at least two AZs with `minSize >= 2`.",
    check(stack, ctx) {
        if (stack.ofType(LB_TARGETS.instance, ...LB_TARGETS.targetGroupAttachments, LB_TARGETS.elbAttachment, LB_TARGETS.classicElb).length === 0) return;
        for (const [urn, sources] of targetSources(stack)) {
            const balancer = stack.byUrn(urn);
            if (!balancer || sources.groups.length > 0 || sources.unknown.length > 0 || sources.targets.size !== 1) continue;
            stack.each([balancer], ctx, () => {
                if (["lambda", "alb"].includes(String(get(balancer.props, "targetType")))) return; // Not instances.
                const [id, instance] = [...sources.targets][0] ?? ["", undefined];
                const target = instance ? `EC2 instance "${instance.name}"` : `target "${id}"`;
                const what = balancer.type === LB_TARGETS.classicElb ? "Classic load balancer" : "Target group";
                ctx.report(
                    `${what} "${balancer.name}" sends all its traffic to one ${target}, so losing that instance or its AZ takes the service down whatever the load balancer's own spread; register at least two instances in different AZs, or an Auto Scaling group over at least ${ctx.settings.minAzs} AZs with minSize >= 2.`,
                    urn,
                );
            });
        }
    },
});
