import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ServiceCertificateArgs {
    /** The service's name, e.g. rag.example.com. */
    domain: string;
    /** Hosted zone that holds `domain`, for DNS validation. */
    hostedZoneId: string;
    tags?: Record<string, string>;
}

/** An ACM certificate for the service's name, validated through Route53, for the AWS NLB. */
export class ServiceCertificate extends pulumi.ComponentResource {
    /** ARN of the validated certificate: resolves only once validation succeeded. */
    public readonly certificateArn: pulumi.Output<string>;

    constructor(name: string, args: ServiceCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("langchain-ha:dns:ServiceCertificate", name, {}, opts);
        const parent = { parent: this };
        const certificate = new aws.acm.Certificate(`${name}-cert`, {
            domainName: args.domain,
            subjectAlternativeNames: [`*.${args.domain}`],
            validationMethod: "DNS",
            tags: args.tags ?? {},
        }, { parent: this, deleteBeforeReplace: false });
        // The apex name and its wildcard share one validation record.
        const option = certificate.domainValidationOptions.apply((options) => options[0]);
        const record = new aws.route53.Record(`${name}-validation`, {
            zoneId: args.hostedZoneId,
            name: option.apply((o) => o?.resourceRecordName ?? ""),
            type: option.apply((o) => o?.resourceRecordType ?? "CNAME"),
            records: [option.apply((o) => o?.resourceRecordValue ?? "")],
            ttl: 300,
            allowOverwrite: true,
        }, parent);
        const validation = new aws.acm.CertificateValidation(`${name}-validation`, {
            certificateArn: certificate.arn,
            validationRecordFqdns: [record.fqdn],
        }, parent);
        this.certificateArn = validation.certificateArn;
        this.registerOutputs({ certificateArn: this.certificateArn });
    }
}
