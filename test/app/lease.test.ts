import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { KubernetesLease } from "../../app/src/replication/lease";
import { LeaseStandIn } from "./support/lease-stand-in";

describe("the Kubernetes Lease that elects one applier", () => {
    const api = new LeaseStandIn();
    const lease = (identity: string, durationSeconds = 15) => {
        const kubeConfig = new k8s.KubeConfig();
        kubeConfig.loadFromString(api.kubeconfig());
        return new KubernetesLease({ name: "follower", namespace: "langchain-ha", identity, durationSeconds, kubeConfig });
    };

    before(() => api.start());
    after(() => api.stop());

    it("one of two replicas holds it; the other does not while it is renewed", async () => {
        const [a, b] = [lease("follower-a"), lease("follower-b")];
        assert.equal(await a.tryAcquire(), true);
        assert.equal(await b.tryAcquire(), false);
        assert.equal(await a.tryAcquire(), true, "the holder renews");
        assert.equal(await b.tryAcquire(), false);
        const stored = api.leases.get("langchain-ha/follower");
        assert.equal(stored?.spec.holderIdentity, "follower-a");
        assert.equal(stored?.spec.leaseDurationSeconds, 15);
    });

    it("when two replicas race for an expired lease, exactly one wins", async () => {
        api.leases.clear();
        const [a, b, c] = [lease("a", 1), lease("b", 1), lease("c", 1)];
        assert.equal(await a.tryAcquire(), true);
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        const results = await Promise.all([b.tryAcquire(), c.tryAcquire()]);
        assert.equal(results.filter(Boolean).length, 1, `results ${results}`);
        assert.equal(api.leases.get("langchain-ha/follower")?.spec.leaseTransitions, 1);
    });

    it("a released lease is taken at once by the next replica", async () => {
        api.leases.clear();
        const [a, b] = [lease("a"), lease("b")];
        assert.equal(await a.tryAcquire(), true);
        await a.release();
        assert.equal(await b.tryAcquire(), true);
    });

    it("an unreachable API server means not the holder, never an exception", async () => {
        const kubeConfig = new k8s.KubeConfig();
        kubeConfig.loadFromString(api.kubeconfig().replace(api.url, "http://127.0.0.1:9"));
        const orphan = new KubernetesLease({ name: "follower", namespace: "langchain-ha", identity: "x", durationSeconds: 15, kubeConfig });
        assert.equal(await orphan.tryAcquire(), false);
    });
});
