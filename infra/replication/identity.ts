import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, webIdentityTrustPolicy } from "../aws/iam";
import { LOGICAL_SNAPSHOT_ROOT } from "../config/derive";
import { workloadLabels } from "../k8s/labels";
import type { PodIdentity } from "../k8s/podIdentity";
import { journalPrefix, snapshotPrefix, type Side } from "./env";
import { gcsListablePrefixCondition, gcsPrefixCondition, s3Statements, type EncryptedBucket } from "./policies";

/** The Kubernetes service account of the service's pods (serving and follower) on both clusters. */
export const APP_SERVICE_ACCOUNT = "langchain-ha";

/** Audience of the projected token GKE pods present to AWS STS. */
export const AWS_TOKEN_AUDIENCE = "sts.amazonaws.com";

const AWS_TOKEN_DIR = "/var/run/secrets/langchain-ha/aws";
const GCP_TOKEN_DIR = "/var/run/secrets/langchain-ha/gcp";
const GCP_CREDENTIALS_DIR = "/etc/langchain-ha/gcp";

/**
 * A GCP resource id from a name: lowercase letters, digits and hyphens, at most `max`
 * characters, starting with a letter and not ending with a hyphen (service account and pool ids).
 */
export function gcpId(name: string, max: number): string {
    return name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").slice(0, max).replace(/-+$/, "");
}

export interface ReplicationIdentityArgs {
    stack: string;
    gcpProject: string;
    /** Region of the S3 buckets, for the SDK on both sides. */
    awsRegion: string;
    namespaces: Record<Side, pulumi.Input<string>>;
    k8sProviders: Record<Side, pulumi.ProviderResource>;
    /** EKS IAM OIDC provider (IRSA) and its issuer without `https://`. */
    eksOidcProviderArn: pulumi.Input<string>;
    eksOidcIssuerHost: pulumi.Input<string>;
    /** GKE Workload Identity pool, `<project>.svc.id.goog`. */
    gkeWorkloadPool: string;
    /** Issuer URL of the GKE cluster's service account tokens. */
    gkeIssuerUrl: pulumi.Input<string>;
    journal: EncryptedBucket & { gcsBucket: pulumi.Input<string> };
    backup: EncryptedBucket & { gcsBucket: pulumi.Input<string> };
    awsProvider?: pulumi.ProviderResource;
    gcpProvider?: pulumi.ProviderResource;
    tags?: Record<string, string>;
}

/**
 * Identities of the service on both clouds, none with a stored key:
 * - EKS pods: IRSA role (own journal, snapshot sets, KMS); to GCS through a Workload Identity
 *   Federation pool that trusts the EKS cluster's OIDC issuer (a projected token, exchanged by
 *   the Google client from a credential-configuration file).
 * - GKE pods: a Google service account through Workload Identity (its prefixes in the GCS
 *   buckets); to S3 through an IAM OIDC provider that trusts the GKE cluster's issuer and a role
 *   the AWS SDK assumes from a projected token (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE).
 */
export class ReplicationIdentity extends pulumi.ComponentResource {
    public readonly pods: Record<Side, PodIdentity>;
    public readonly awsRoleArns: Record<Side, pulumi.Output<string>>;
    public readonly googleServiceAccountEmail: pulumi.Output<string>;
    public readonly federationPoolName: pulumi.Output<string>;

    constructor(name: string, args: ReplicationIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("langchain-ha:replication:ReplicationIdentity", name, {}, opts);
        const onAws = { parent: this, provider: args.awsProvider };
        const onGcp = { parent: this, provider: args.gcpProvider };
        const tags = args.tags ?? {};
        const subject = (side: Side) => pulumi.interpolate`system:serviceaccount:${args.namespaces[side]}:${APP_SERVICE_ACCOUNT}`;

        // --- AWS: the EKS pods by IRSA, the GKE pods through an OIDC provider for GKE's issuer ---
        const gkeOidc = new aws.iam.OpenIdConnectProvider(`${name}-gke-oidc`, { url: args.gkeIssuerUrl, clientIdLists: [AWS_TOKEN_AUDIENCE], tags }, onAws);
        const trust: Record<Side, { federated: pulumi.Input<string>; issuerHost: pulumi.Input<string> }> = {
            aws: { federated: args.eksOidcProviderArn, issuerHost: args.eksOidcIssuerHost },
            gcp: { federated: gkeOidc.arn, issuerHost: pulumi.output(args.gkeIssuerUrl).apply((u) => u.replace(/^https:\/\//, "")) },
        };
        const roles = {} as Record<Side, aws.iam.Role>;
        for (const side of ["aws", "gcp"] as const) {
            roles[side] = new aws.iam.Role(`${name}-${side}-app`, {
                description: `The ${side} side's service: replication journal and snapshot sets in S3`,
                assumeRolePolicy: webIdentityTrustPolicy({ ...trust[side], subject: subject(side), audience: AWS_TOKEN_AUDIENCE }),
                maxSessionDuration: 3600,
                tags,
            }, onAws);
            new aws.iam.RolePolicy(`${name}-${side}-app`, { role: roles[side].id, policy: policyDocument(s3Statements(side, args.journal, args.backup)) }, onAws);
        }

        // --- GCP: the GKE pods by Workload Identity, the EKS pods through federation ---
        const account = new gcp.serviceaccount.Account(`${name}-gcp-app`, {
            project: args.gcpProject,
            accountId: gcpId(`langchain-ha-app-${args.stack}`, 30),
            displayName: "langchain-ha service (replication journal and snapshot sets)",
        }, onGcp);
        new gcp.serviceaccount.IAMMember(`${name}-gcp-app-wi`, {
            serviceAccountId: account.name,
            role: "roles/iam.workloadIdentityUser",
            member: pulumi.interpolate`serviceAccount:${args.gkeWorkloadPool}[${args.namespaces.gcp}/${APP_SERVICE_ACCOUNT}]`,
        }, onGcp);
        const pool = new gcp.iam.WorkloadIdentityPool(`${name}-eks-pool`, {
            project: args.gcpProject,
            workloadIdentityPoolId: gcpId(`langchain-ha-${args.stack}-eks`, 32),
            displayName: `langchain-ha ${args.stack} EKS`.slice(0, 32),
            description: "Service account tokens of the EKS cluster's langchain-ha pods",
        }, onGcp);
        const gcsAudience = `langchain-ha-${args.stack}-gcs`;
        const poolProvider = new gcp.iam.WorkloadIdentityPoolProvider(`${name}-eks-oidc`, {
            project: args.gcpProject,
            workloadIdentityPoolId: pool.workloadIdentityPoolId,
            workloadIdentityPoolProviderId: "eks-oidc",
            displayName: "EKS service accounts",
            oidc: { issuerUri: pulumi.interpolate`https://${args.eksOidcIssuerHost}`, allowedAudiences: [gcsAudience] },
            attributeMapping: { "google.subject": "assertion.sub" },
            attributeCondition: pulumi.interpolate`assertion.sub == "${subject("aws")}"`,
        }, onGcp);
        const eksPrincipal = pulumi.interpolate`principal://iam.googleapis.com/${pool.name}/subject/${subject("aws")}`;
        const gsa = pulumi.interpolate`serviceAccount:${account.email}`;
        const grant = (role: string, bucket: pulumi.Input<string>, member: pulumi.Input<string>, what: string, condition?: ReturnType<typeof gcsPrefixCondition>) =>
            new gcp.storage.BucketIAMMember(`${name}-${what}`, { bucket, role, member, condition }, onGcp);
        const j = args.journal.gcsBucket;
        const b = args.backup.gcsBucket;
        // GKE pods: read both journals (GCP's own, AWS's copy), append to GCP's; snapshot sets as on S3.
        grant("roles/storage.objectViewer", j, gsa, "gcp-app-journals-read");
        grant("roles/storage.objectAdmin", j, gsa, "gcp-app-journal-write", gcsPrefixCondition(j, journalPrefix("gcp"), "own journal"));
        grant("roles/storage.objectViewer", b, gsa, "gcp-app-snapshots-read", gcsListablePrefixCondition(b, LOGICAL_SNAPSHOT_ROOT, "snapshot sets"));
        grant("roles/storage.objectAdmin", b, gsa, "gcp-app-snapshots-write", gcsPrefixCondition(b, snapshotPrefix("gcp"), "own snapshot sets"));
        // EKS pods: read GCP's journal and snapshot sets, append only the fence entry of a promotion.
        grant("roles/storage.objectViewer", j, eksPrincipal, "aws-app-journals-read");
        grant("roles/storage.objectCreator", j, eksPrincipal, "aws-app-fence-write", gcsPrefixCondition(j, journalPrefix("gcp"), "fence entries"));
        grant("roles/storage.objectViewer", b, eksPrincipal, "aws-app-snapshots-read", gcsListablePrefixCondition(b, LOGICAL_SNAPSHOT_ROOT, "snapshot sets"));

        // --- Kubernetes: the service accounts, and what the SDKs federate with ---
        const labels = workloadLabels(APP_SERVICE_ACCOUNT, "api");
        const awsAccount = new k8s.core.v1.ServiceAccount(`${name}-aws-sa`, {
            metadata: { name: APP_SERVICE_ACCOUNT, namespace: args.namespaces.aws, labels, annotations: { "eks.amazonaws.com/role-arn": roles.aws.arn } },
        }, { parent: this, provider: args.k8sProviders.aws });
        const credentials = new k8s.core.v1.ConfigMap(`${name}-aws-gcp-credentials`, {
            metadata: { name: "langchain-ha-gcp-federation", namespace: args.namespaces.aws, labels },
            data: {
                // An external-account credential configuration: no key, only where to find the token and whom to ask.
                "credentials.json": pulumi.jsonStringify({
                    type: "external_account",
                    audience: pulumi.interpolate`//iam.googleapis.com/${poolProvider.name}`,
                    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
                    token_url: "https://sts.googleapis.com/v1/token",
                    credential_source: { file: `${GCP_TOKEN_DIR}/token` },
                }),
            },
        }, { parent: this, provider: args.k8sProviders.aws });
        const gcpAccount = new k8s.core.v1.ServiceAccount(`${name}-gcp-sa`, {
            metadata: { name: APP_SERVICE_ACCOUNT, namespace: args.namespaces.gcp, labels, annotations: { "iam.gke.io/gcp-service-account": account.email } },
        }, { parent: this, provider: args.k8sProviders.gcp });

        const tokenVolume = (volume: string, audience: string) => ({
            name: volume,
            projected: { sources: [{ serviceAccountToken: { audience, path: "token", expirationSeconds: 3600 } }] },
        });
        this.pods = {
            aws: {
                serviceAccountName: awsAccount.metadata.name,
                env: [
                    { name: "AWS_REGION", value: args.awsRegion },
                    { name: "GOOGLE_APPLICATION_CREDENTIALS", value: `${GCP_CREDENTIALS_DIR}/credentials.json` },
                ],
                volumes: [tokenVolume("gcp-token", gcsAudience), { name: "gcp-federation", configMap: { name: credentials.metadata.name } }],
                volumeMounts: [
                    { name: "gcp-token", mountPath: GCP_TOKEN_DIR, readOnly: true },
                    { name: "gcp-federation", mountPath: GCP_CREDENTIALS_DIR, readOnly: true },
                ],
            },
            gcp: {
                serviceAccountName: gcpAccount.metadata.name,
                env: [
                    { name: "AWS_REGION", value: args.awsRegion },
                    { name: "AWS_ROLE_ARN", value: roles.gcp.arn },
                    { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: `${AWS_TOKEN_DIR}/token` },
                ],
                volumes: [tokenVolume("aws-token", AWS_TOKEN_AUDIENCE)],
                volumeMounts: [{ name: "aws-token", mountPath: AWS_TOKEN_DIR, readOnly: true }],
            },
        };
        this.awsRoleArns = { aws: roles.aws.arn, gcp: roles.gcp.arn };
        this.googleServiceAccountEmail = account.email;
        this.federationPoolName = pool.name;
        this.registerOutputs({ awsRoleArns: this.awsRoleArns, googleServiceAccountEmail: this.googleServiceAccountEmail, federationPoolName: this.federationPoolName });
    }
}
