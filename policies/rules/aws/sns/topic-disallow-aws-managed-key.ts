import { stackRule } from "../../../lib/rule";
import { indexBy, resolveRefsDetailed } from "../../../lib/stack";
import { get, tryGet, UNKNOWN } from "../../../lib/values";

const TOPIC = "aws:sns/topic:Topic";
const METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const ALARM_ACTIONS = ["alarmActions", "okActions", "insufficientDataActions"];
const KMS_TYPES = ["aws:kms/key:Key", "aws:kms/alias:Alias", "aws:kms/replicaKey:ReplicaKey"];

/** The AWS-managed SNS key, by alias or alias ARN: its policy cannot grant CloudWatch anything. */
function isAwsManagedSnsKey(key: unknown): boolean {
    return typeof key === "string" && (key === "alias/aws/sns" || key.endsWith(":alias/aws/sns"));
}

export const awsSnsTopicDisallowAwsManagedKey = stackRule({
    name: "aws-sns-topic-disallow-aws-managed-key",
    description: "An SNS topic that CloudWatch alarms notify must not be encrypted with the AWS-managed alias/aws/sns key, which CloudWatch may not use, or no alarm is ever delivered.",
    severity: "high",
    enforcementLevel: "mandatory",
    provider: "aws",
    service: "sns",
    resource: "topic",
    fix: "Encrypt the topic with a customer-managed KMS key (`kmsMasterKeyId`) in the alarm's region whose key policy allows `cloudwatch.amazonaws.com` `kms:Decrypt` and `kms:GenerateDataKey*`.",
    requires: METRIC_ALARM,
    check(stack, ctx) {
        const topics = indexBy(stack.ofType(TOPIC), "arn", "id");
        const alarmed = new Map<string, string>();
        // Alarms with an action that names no topic the pack can tell (unknown in preview, no dependency).
        const unresolved: string[] = [];
        stack.each(stack.ofType(METRIC_ALARM), ctx, (alarm) => {
            for (const prop of ALARM_ACTIONS) {
                // Unknown ARNs (preview), whole or per element, resolve through the alarm's dependencies;
                // a known ARN of no topic here (another stack's) is not this stack's to judge.
                const refs = resolveRefsDetailed(stack, alarm, prop, topics, [TOPIC]);
                for (const t of refs.found) alarmed.set(t.urn, alarm.name);
                if (refs.unknown > 0 && !unresolved.includes(alarm.name)) unresolved.push(alarm.name);
            }
        });
        stack.each(stack.ofType(TOPIC), ctx, (topic) => {
            const key = tryGet(topic.props, "kmsMasterKeyId");
            // Unknown in preview: a key (or alias) the stack creates is customer-managed, whatever its id.
            if (key === UNKNOWN && (topic.propertyDependencies["kmsMasterKeyId"] ?? []).some((u) => KMS_TYPES.includes(stack.byUrn(u)?.type ?? ""))) return;
            const alarm = alarmed.get(topic.urn);
            if (alarm === undefined && unresolved.length === 0) return;
            if (!isAwsManagedSnsKey(get(topic.props, "kmsMasterKeyId"))) return;
            if (alarm === undefined) {
                ctx.undecided(topic.urn, `it is encrypted with alias/aws/sns, and whether CloudWatch alarm ${unresolved.map((a) => `"${a}"`).join(", ")} notifies it is unknown (an action ARN unknown with no dependency)`);
                return;
            }
            ctx.report(
                `SNS topic "${topic.name}" is notified by CloudWatch alarm "${alarm}" but encrypted with alias/aws/sns, which CloudWatch may not use, so no alarm is ever delivered; set kmsMasterKeyId to a customer-managed key whose policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*.`,
                topic.urn,
            );
        });
    },
});
