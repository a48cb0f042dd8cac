import * as pulumi from "@pulumi/pulumi";

/** A trust policy letting an AWS service assume the role. */
export function serviceTrustPolicy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}

/**
 * A trust policy for web-identity federation: tokens from `provider` whose `sub` (and `aud`,
 * when given) match may assume the role. No long-lived keys are involved.
 */
export function webIdentityTrustPolicy(args: {
    federated: pulumi.Input<string>;
    issuerHost: pulumi.Input<string>;
    subject: pulumi.Input<string>;
    audience?: pulumi.Input<string>;
    /** Condition key suffix that carries the audience; Google tokens put it in `oaud`. Defaults to "aud". */
    audienceKey?: "aud" | "oaud";
}): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: args.federated },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: pulumi.all([args.issuerHost, args.subject, args.audience]).apply(([host, sub, aud]) => ({
                        [`${host}:sub`]: sub,
                        ...(aud === undefined ? {} : { [`${host}:${args.audienceKey ?? "aud"}`]: aud }),
                    })),
                },
            },
        ],
    });
}

/** A policy document from statements, for inline role policies. */
export function policyDocument(statements: pulumi.Input<Record<string, unknown>>[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * The trust policy of an IAM role for a Kubernetes service account (IRSA): only tokens the
 * cluster's OIDC issuer signed for `namespace/serviceAccount`, with the STS audience.
 */
export function serviceAccountTrustPolicy(args: {
    oidcProviderArn: pulumi.Input<string>;
    issuerHost: pulumi.Input<string>;
    namespace: pulumi.Input<string>;
    serviceAccount: string;
}): pulumi.Output<string> {
    return webIdentityTrustPolicy({
        federated: args.oidcProviderArn,
        issuerHost: args.issuerHost,
        subject: pulumi.interpolate`system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
        audience: "sts.amazonaws.com",
    });
}
