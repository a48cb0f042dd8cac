import { LB_TARGETS } from "../../../lib/targets";
import { stackRule } from "../../../lib/rule";
import { asArray, asString, get, tryGet } from "../../../lib/values";

const GROUP = "aws:autoscaling/group:Group";

export const awsAutoscalingGroupConfigureHealthCheckType = stackRule({
    name: "aws-autoscaling-group-configure-health-check-type",
    description: "An Auto Scaling group behind a load balancer should use the load balancer's health check, so that it replaces an instance whose service fails while the instance itself still runs.",
    severity: "high",
    enforcementLevel: "advisory",
    provider: "aws",
    service: "autoscaling",
    resource: "group",
    fix: "Set `healthCheckType: \"ELB\"` (and a `healthCheckGracePeriod` that covers start-up) on a group that has `targetGroupArns`, `loadBalancers`, `trafficSources` or an `aws.autoscaling.Attachment`.",
    requires: GROUP,
    check(stack, ctx) {
        const attached = new Set<string>();
        for (const a of stack.ofType(...LB_TARGETS.groupAttachments)) {
            for (const urn of a.propertyDependencies["autoscalingGroupName"] ?? []) attached.add(urn);
            // Unknown in preview: the property dependency above still names the group.
            const name = asString(tryGet(a.props, "autoscalingGroupName"));
            if (name !== undefined) attached.add(`name:${name}`);
        }
        stack.each(stack.ofType(GROUP), ctx, (g) => {
            const behindLb =
                asArray(get(g.props, "targetGroupArns")).length > 0 ||
                asArray(get(g.props, "loadBalancers")).length > 0 ||
                asArray(get(g.props, "trafficSources")).length > 0 ||
                attached.has(g.urn) ||
                attached.has(`name:${asString(get(g.props, "name")) ?? g.name}`);
            if (!behindLb) return;
            const type = asString(get(g.props, "healthCheckType")) ?? "EC2";
            if (type.toUpperCase() !== "ELB") {
                ctx.report(
                    `Auto Scaling group "${g.name}" serves behind a load balancer but checks health by "${type}" status only, so an instance whose service has failed stays in the group, out of rotation and never replaced, and capacity shrinks; set healthCheckType: "ELB".`,
                    g.urn,
                );
            }
        });
    },
});
