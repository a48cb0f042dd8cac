import { test } from "node:test";
import assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import type { MockCallArgs } from "@pulumi/pulumi/runtime/mocks";
import { DnsFailover } from "../../infra/dns/failover";
import { cloudMocks } from "../../infra/plan/mocks";
import { DNS_ARGS } from "./componentValues";
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
        // No alarm email: only the key policy is under test.
        const { alarmEmail: _email, ...args } = DNS_ARGS;
        new DnsFailover("dns", args, { providers: { aws: provider } });
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
