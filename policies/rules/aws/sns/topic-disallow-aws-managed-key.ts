import { stackRule, type Subject } from "../../../lib/rule";
import { indexBy, resolveRefs } from "../../../lib/stack";
import { get, known, tryGet, UNKNOWN } from "../../../lib/values";

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
        stack.each(stack.ofType(METRIC_ALARM), ctx, (alarm) => {
            for (const prop of ALARM_ACTIONS) {
                // Unknown ARNs (preview), whole or per element, resolve through the alarm's dependencies.
                const named = known(() => resolveRefs(stack, alarm, prop, topics, [TOPIC]));
                const found = named !== UNKNOWN ? named
                    : (alarm.propertyDependencies[prop] ?? []).map((urn) => stack.byUrn(urn)).filter((t): t is Subject => t?.type === TOPIC);
                for (const t of found) alarmed.set(t.urn, alarm.name);
            }
        });
        stack.each(stack.ofType(TOPIC), ctx, (topic) => {
            const alarm = alarmed.get(topic.urn);
            if (alarm === undefined) return;
            const key = tryGet(topic.props, "kmsMasterKeyId");
            // Unknown in preview: a key (or alias) the stack creates is customer-managed, whatever its id.
            if (key === UNKNOWN && (topic.propertyDependencies["kmsMasterKeyId"] ?? []).some((u) => KMS_TYPES.includes(stack.byUrn(u)?.type ?? ""))) return;
            if (!isAwsManagedSnsKey(get(topic.props, "kmsMasterKeyId"))) return;
            ctx.report(
                `SNS topic "${topic.name}" is notified by CloudWatch alarm "${alarm}" but encrypted with alias/aws/sns, which CloudWatch may not use, so no alarm is ever delivered; set kmsMasterKeyId to a customer-managed key whose policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*.`,
                topic.urn,
            );
        });
    },
});
