import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ENV, HTTP_PORT } from "../../app/src/contract";
import { exclusiveCronJobSpec } from "../k8s/cronJob";
import { RESTRICTED_CONTAINER, workloadLabels } from "../k8s/labels";
import { INTERNAL_CLIENT_LABEL } from "../k8s/networkPolicy";
import { REPLICATION_API } from "./env";

export const SNAPSHOT_SETS_NAME = "logical-snapshots";
export const INTERNAL_SERVICE_NAME = "langchain-ha-internal";

export interface InternalEndpointArgs {
    namespace: pulumi.Input<string>;
    /** Pod labels of the serving Deployment. */
    appSelector: Record<string, string>;
}

/**
 * A ClusterIP Service on the serving pods' plain port, which no load balancer exposes: how the
 * snapshot-set CronJob and the runbook (by `kubectl port-forward`) reach the admin routes.
 */
export class InternalEndpoint extends pulumi.ComponentResource {
    public readonly serviceName: pulumi.Output<string>;

    constructor(name: string, args: InternalEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        super("langchain-ha:replication:InternalEndpoint", name, {}, opts);
        const service = new k8s.core.v1.Service(`${name}-service`, {
            metadata: { name: INTERNAL_SERVICE_NAME, namespace: args.namespace, labels: workloadLabels(INTERNAL_SERVICE_NAME, "api") },
            spec: { type: "ClusterIP", selector: args.appSelector, ports: [{ name: "http", port: HTTP_PORT, targetPort: "http", protocol: "TCP" }] },
        }, { parent: this });
        this.serviceName = service.metadata.name;
        this.registerOutputs({ serviceName: this.serviceName });
    }
}

export interface LogicalSnapshotScheduleArgs {
    namespace: pulumi.Input<string>;
    /** Cron schedule: the snapshot schedule derived from the RPO, which the journal's expiry assumes. */
    schedule: string;
    /** The InternalEndpoint Service of the serving pods, which answer the admin route. */
    serviceName: pulumi.Input<string>;
    /** The Secret that holds the admin token under the key ADMIN_TOKEN. */
    secretName: pulumi.Input<string>;
    /** An image with a shell and curl. */
    image: string;
}

/**
 * Logical snapshot sets on the active side, on the snapshot schedule: a CronJob asks the
 * service to write one (POST /admin/v1/snapshots) through its InternalEndpoint. Each set records
 * the journal position it covers, which is what lets journal entries expire (see JournalStorage).
 */
export class LogicalSnapshotSchedule extends pulumi.ComponentResource {
    public readonly cronJobName: pulumi.Output<string>;

    constructor(name: string, args: LogicalSnapshotScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        super("langchain-ha:replication:LogicalSnapshotSchedule", name, {}, opts);
        const parent = { parent: this };
        const labels = workloadLabels(SNAPSHOT_SETS_NAME, "backup");
        const url = pulumi.interpolate`http://${args.serviceName}:${HTTP_PORT}${REPLICATION_API.snapshots}`;
        // The token goes in on stdin, so that it never shows in a process list.
        const script = pulumi.interpolate`printf 'Authorization: Bearer %s\\n' "$${ENV.adminToken}" | curl -fsS --retry 3 --retry-all-errors --max-time 900 -X POST -H @- -H 'content-type: application/json' --data '{}' ${url}`;
        const cronJob = new k8s.batch.v1.CronJob(`${name}-cronjob`, {
            metadata: { name: SNAPSHOT_SETS_NAME, namespace: args.namespace, labels },
            spec: exclusiveCronJobSpec(args.schedule, 1800, {
                metadata: { labels: { ...labels, ...INTERNAL_CLIENT_LABEL } },
                spec: {
                    restartPolicy: "Never",
                    automountServiceAccountToken: false,
                    securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534 },
                    containers: [{
                        name: "snapshot-set",
                        image: args.image,
                        command: ["/bin/sh", "-c", script],
                        env: [{ name: ENV.adminToken, valueFrom: { secretKeyRef: { name: args.secretName, key: ENV.adminToken } } }],
                        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "64Mi" } },
                        securityContext: RESTRICTED_CONTAINER,
                    }],
                },
            }),
        }, parent);
        this.cronJobName = cronJob.metadata.name;
        this.registerOutputs({ cronJobName: this.cronJobName });
    }
}
