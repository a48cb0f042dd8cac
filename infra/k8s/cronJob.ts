import type * as k8s from "@pulumi/kubernetes";

/**
 * A CronJob spec for a scheduled task that must never run twice at once: a missed start is
 * dropped after five minutes (the next one comes), two retries, and a deadline so that a stuck
 * run cannot block the following ones forever.
 */
export function exclusiveCronJobSpec(
    schedule: string,
    activeDeadlineSeconds: number,
    pod: k8s.types.input.core.v1.PodTemplateSpec,
): k8s.types.input.batch.v1.CronJobSpec {
    return {
        schedule,
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 300,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 5,
        jobTemplate: { spec: { backoffLimit: 2, activeDeadlineSeconds, template: pod } },
    };
}
