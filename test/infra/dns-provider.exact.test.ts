import { test } from "node:test";
import assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import type { MockCallArgs } from "@pulumi/pulumi/runtime/mocks";
import { DnsFailover } from "../../infra/dns/failover";
import { cloudMocks } from "../../infra/plan/mocks";
import { declare } from "./harness";

/**
 * The alarm topic's key policy names the account DnsFailover deploys into: the caller identity
 * is asked of the component's own AWS provider, not the default one, which may be another
 * account's credentials.
 */
test("the caller identity behind the key policy comes from the component's AWS provider", async () => {
    const calls: MockCallArgs[] = [];
    const r = await declare(() => {
        const provider = new aws.Provider("alarms-account", { region: "us-east-1" });
        new DnsFailover("dns", {
            hostedZoneId: "Z0123456789ABC",
            domain: "rag.example.com",
            activeSide: "aws",
            aws: { kind: "hostname", value: "abc.elb.us-east-1.amazonaws.com" },
            gcp: { kind: "ip", value: "34.1.2.3" },
            ttlSeconds: 30,
            intervalSeconds: 10,
            failureThreshold: 3,
            checkerRegions: ["us-east-1", "eu-west-1", "ap-southeast-1"],
        }, { providers: { aws: provider } });
    }, "test", {
        call: (args) => {
            calls.push(args);
            return cloudMocks.call(args);
        },
        newResource: (args) => cloudMocks.newResource(args),
    });
    const identity = calls.filter((c) => c.token === "aws:index/getCallerIdentity:getCallerIdentity");
    assert.equal(identity.length, 1);
    assert.match(identity[0]!.provider ?? "", /::pulumi:providers:aws::alarms-account::/);
    assert.match(r.ofType("aws:kms/key:Key")[0]!.provider ?? "", /::alarms-account::/);
});
