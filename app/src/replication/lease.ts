import * as k8s from "@kubernetes/client-node";

/** Who may apply journal entries: several follower replicas run, one applies at a time. */
export interface Lease {
    /** Takes or renews the lease; true while this instance holds it. Never throws. */
    tryAcquire(): Promise<boolean>;
    release(): Promise<void>;
}

/** A single process with no rival: the local default and the tests. */
export class SoleLease implements Lease {
    async tryAcquire(): Promise<boolean> {
        return true;
    }

    async release(): Promise<void> {}
}

export interface KubernetesLeaseOptions {
    name: string;
    namespace: string;
    identity: string;
    durationSeconds: number;
    /** For tests; in a pod the in-cluster service account is used. */
    kubeConfig?: k8s.KubeConfig;
}

/**
 * A coordination.k8s.io/v1 Lease: the holder renews it every tick; another replica takes it only
 * after it expired, through an update carrying the resourceVersion it read, so two replicas can
 * never both win (the API server rejects the stale one with 409).
 */
export class KubernetesLease implements Lease {
    private readonly api: k8s.CoordinationV1Api;

    constructor(private readonly options: KubernetesLeaseOptions) {
        const config = options.kubeConfig ?? new k8s.KubeConfig();
        if (!options.kubeConfig) config.loadFromCluster();
        this.api = config.makeApiClient(k8s.CoordinationV1Api);
    }

    async tryAcquire(): Promise<boolean> {
        const { name, namespace, identity, durationSeconds } = this.options;
        const now = new k8s.V1MicroTime();
        try {
            const current = await this.read();
            if (!current) {
                await this.api.createNamespacedLease({
                    namespace,
                    body: { metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 } },
                });
                return true;
            }
            const spec = current.spec ?? {};
            const renewed = spec.renewTime ? new Date(spec.renewTime).getTime() : 0;
            const expired = Date.now() - renewed > (spec.leaseDurationSeconds ?? durationSeconds) * 1000;
            const mine = spec.holderIdentity === identity;
            if (!mine && !expired) return false;
            await this.api.replaceNamespacedLease({
                name,
                namespace,
                body: {
                    ...current,
                    spec: {
                        ...spec,
                        holderIdentity: identity,
                        leaseDurationSeconds: durationSeconds,
                        renewTime: now,
                        ...(mine ? {} : { acquireTime: now, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 }),
                    },
                },
            });
            return true;
        } catch {
            return false; // a conflict (another replica won) or an unreachable API: not the holder
        }
    }

    async release(): Promise<void> {
        try {
            const current = await this.read();
            if (current?.spec?.holderIdentity !== this.options.identity) return;
            await this.api.replaceNamespacedLease({
                name: this.options.name,
                namespace: this.options.namespace,
                body: { ...current, spec: { ...current.spec, renewTime: new k8s.V1MicroTime(0) } },
            });
        } catch {
            // The lease expires on its own.
        }
    }

    private async read(): Promise<k8s.V1Lease | undefined> {
        try {
            return await this.api.readNamespacedLease({ name: this.options.name, namespace: this.options.namespace });
        } catch (error) {
            if (error instanceof k8s.ApiException && error.code === 404) return undefined;
            throw error;
        }
    }
}
