import { annotation, K8S } from "../../../lib/kubernetes";
import { resourceRule } from "../../../lib/rule";
import { asRecord, get, has } from "../../../lib/values";

const CERT = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";
const POLICY = "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy";

/** ELB security policies that negotiate TLS 1.2 at the lowest. */
function isTls12Plus(policy: string): boolean {
    return /TLS13|TLS-1-2|FS-1-2/.test(policy);
}

export const kubernetesCoreServiceConfigureTlsPolicy = resourceRule({
    name: "kubernetes-core-service-configure-tls-policy",
    description: "An AWS load balancer Service that ends TLS must name a TLS 1.2+ negotiation policy, since the default is the 2016 policy that still accepts TLS 1.0.",
    severity: "medium",
    enforcementLevel: "advisory",
    provider: "kubernetes",
    service: "core",
    resource: "service",
    fix: "Annotate the Service `service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy: ELBSecurityPolicy-TLS13-1-2-2021-06`.",
    types: [K8S.service],
    check(r, ctx) {
        // The certificate's ARN is unknown in preview (a certificate still to be validated); that it is set is known.
        if (!has(asRecord(get(r.props, "metadata.annotations")), CERT)) return;
        const policy = annotation(r.props, POLICY);
        if (policy !== undefined && isTls12Plus(policy)) return;
        ctx.report(`Service "${r.name}" ends TLS at an AWS load balancer with ${policy === undefined ? "the default ELBSecurityPolicy-2016-08" : policy}, which accepts TLS 1.0; annotate it ${POLICY}: ELBSecurityPolicy-TLS13-1-2-2021-06.`);
    },
});
