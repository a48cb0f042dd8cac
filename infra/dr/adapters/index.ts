import type { StackOutputs } from "../stack/outputs";
import type { Side } from "../sides";
import { Route53Client } from "@aws-sdk/client-route-53";
import { KubernetesCluster } from "./kubernetes";
import { Route53Dns } from "./route53";
import { ServiceHttpApi } from "./service";
import { openSnapshotLocation } from "./snapshots";
import type { Adapters, ClusterControl, ServiceApi } from "./types";
import { InputError } from "../errors";

export type { Adapters } from "./types";

/**
 * A side's service URL: `https://<side>.<domain>` (the regional name the health check probes),
 * or DR_SERVICE_URL_AWS / DR_SERVICE_URL_GCP, e.g. a `kubectl port-forward` to the admin port.
 */
export function serviceUrl(outputs: StackOutputs, side: Side, env: NodeJS.ProcessEnv = process.env): string {
    return (env[`DR_SERVICE_URL_${side.toUpperCase()}`] ?? `https://${outputs.regionalNames[side]}`).replace(/\/$/, "");
}

/**
 * The cloud adapters for a stack, each created on first use: a failover to GCP never builds the
 * EKS client or reads S3. Endpoints follow the SDKs' own overrides (AWS_ENDPOINT_URL_ROUTE_53,
 * AWS_ENDPOINT_URL_S3, STORAGE_EMULATOR_HOST), so the same code runs against stand-ins.
 */
export function cloudAdapters(outputs: StackOutputs, env: NodeJS.ProcessEnv = process.env): Adapters {
    const memo = new Map<string, unknown>();
    const once = <T>(key: string, make: () => T): T => {
        if (!memo.has(key)) memo.set(key, make());
        return memo.get(key) as T;
    };
    const cluster = (side: Side): ClusterControl => once(`cluster:${side}`, () => new KubernetesCluster(outputs.kubeconfigs[side], outputs.namespace));
    const adminToken = (side: Side) => async (): Promise<string> => {
        const fromEnv = env.DR_ADMIN_TOKEN;
        if (fromEnv) return fromEnv;
        const secret = outputs.replication?.adminToken;
        if (secret === undefined) throw new InputError("no admin token: set DR_ADMIN_TOKEN (the stack exports no replication.adminToken)");
        const token = await cluster(side).secretValue(secret.secretName, secret.key);
        if (token === undefined) throw new InputError(`no admin token: Secret ${outputs.namespace}/${secret.secretName} on ${side} has no "${secret.key}" key; set DR_ADMIN_TOKEN`);
        return token;
    };
    return {
        dns: () => once("dns", () => new Route53Dns(
            { hostedZoneId: outputs.hostedZoneId, domain: outputs.domain, regionalNames: outputs.regionalNames, healthCheckIds: outputs.healthCheckIds },
            new Route53Client({ region: "us-east-1", maxAttempts: 3, ...(env.AWS_ENDPOINT_URL_ROUTE_53 ? { endpoint: env.AWS_ENDPOINT_URL_ROUTE_53 } : {}) }),
        )),
        cluster,
        service: (side: Side): ServiceApi => once(`service:${side}`, () => new ServiceHttpApi(serviceUrl(outputs, side, env), adminToken(side))),
        snapshots: (side: Side) => once(`snapshots:${side}`, () => {
            // A side's first location is where it writes its sets.
            const url = outputs.replication?.snapshotSets[side][0];
            if (url === undefined) throw new InputError(`stack ${outputs.environment} exports no replication.snapshotSets.${side}`);
            return openSnapshotLocation(url, env);
        }),
    };
}
