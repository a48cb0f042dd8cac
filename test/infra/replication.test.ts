import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { journalExpiry, resolveConfig, ConfigError } from "../../infra/config";
import { planStack, type PlanResult } from "../../infra/plan";
import { gcpId, JournalStorage, validateReplicationFollowerArgs, type ReplicationFollowerArgs } from "../../infra/replication";
import { envOf, Resources, unsecret } from "./harness";

type Inputs = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- provider payloads are untyped

const plans = new Map<string, Promise<PlanResult>>();

/** prod as it is, or with `activeSide: gcp`; dev (pilot light). Planned once each, one at a time. */
function plan(which: "prod" | "prod-gcp-active" | "dev"): Promise<PlanResult> {
    let p = plans.get(which);
    if (!p) {
        const previous = [...plans.values()].at(-1) ?? Promise.resolve(undefined);
        p = previous.catch(() => undefined).then(() => {
            if (which !== "prod-gcp-active") return planStack(which);
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stacks-"));
            const prod = fs.readFileSync(path.join(__dirname, "..", "..", "stacks", "Pulumi.prod.yaml"), "utf8");
            fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), prod.replace("activeSide: aws", "activeSide: gcp"));
            return planStack("prod", { stacksDir: dir });
        });
        plans.set(which, p);
    }
    return p;
}

/** The physical names the mocks gave the four buckets, found by their logical names. */
function buckets(r: Resources) {
    const s3 = (logical: string) => r.ofType("aws:s3/bucket:Bucket").find((b) => b.name === logical)!.outputs.bucket as string;
    const gcs = (logical: string) => r.ofType("gcp:storage/bucket:Bucket").find((b) => b.name === logical)!.outputs.name as string;
    return {
        journalS3: s3("prod-replication-journal-s3"),
        journalGcs: gcs("prod-replication-journal-transfer-gcs"),
        backupS3: s3("prod-backup-s3"),
        backupGcs: gcs("prod-backup-transfer-gcs"),
    };
}

function deployment(r: Resources, cluster: "eks" | "gke", name: string): Inputs {
    const found = r.onCluster("kubernetes:apps/v1:Deployment", cluster).map((d) => d.inputs as Inputs).filter((d) => d.metadata.name === name);
    assert.equal(found.length, 1, `${cluster}: one Deployment ${name}`);
    return found[0]!;
}

const REPLICATION_KEYS = ["ROLE", "JOURNAL_URL", "PEER_JOURNAL_URLS", "SNAPSHOT_URLS", "REPLICATION_MAX_LAG_SECONDS", "REPLICATION_APPLY", "LEASE_NAME", "POD_NAME", "POD_NAMESPACE", "AWS_REGION", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "GOOGLE_APPLICATION_CREDENTIALS"];

/** The replication and federation part of a container's env. */
function replicationEnvOf(container: Inputs): Record<string, string | undefined> {
    return Object.fromEntries(Object.entries(envOf(container as Parameters<typeof envOf>[0])).filter(([k]) => REPLICATION_KEYS.includes(k)));
}

function roleNamed(r: Resources, logical: string) {
    return r.ofType("aws:iam/role:Role").find((x) => x.name === logical)!;
}

function rolePolicy(r: Resources, logical: string): Inputs[] {
    return JSON.parse(r.one("aws:iam/rolePolicy:RolePolicy", logical).policy).Statement;
}

describe("replication env", () => {
    test("activeSide aws: EKS serving pods write the S3 journal, GKE serving pods are a read-only standby", async () => {
        const r = new Resources((await plan("prod")).resources);
        const b = buckets(r);
        const gcpRole = roleNamed(r, "prod-replication-identity-gcp-app").outputs.arn;
        assert.deepEqual(replicationEnvOf(deployment(r, "eks", "langchain-ha").spec.template.spec.containers[0]), {
            ROLE: "active",
            JOURNAL_URL: `s3://${b.journalS3}/journal/aws`,
            PEER_JOURNAL_URLS: `gs://${b.journalGcs}/journal/gcp`,
            SNAPSHOT_URLS: `s3://${b.backupS3}/logical-snapshots/aws,gs://${b.backupGcs}/logical-snapshots/gcp`,
            REPLICATION_MAX_LAG_SECONDS: "3600",
            REPLICATION_APPLY: "false",
            AWS_REGION: "us-east-1",
            GOOGLE_APPLICATION_CREDENTIALS: "/etc/langchain-ha/gcp/credentials.json",
        });
        assert.deepEqual(replicationEnvOf(deployment(r, "gke", "langchain-ha").spec.template.spec.containers[0]), {
            ROLE: "standby",
            JOURNAL_URL: `gs://${b.journalGcs}/journal/gcp`,
            PEER_JOURNAL_URLS: `s3://${b.journalS3}/journal/aws,gs://${b.journalGcs}/journal/aws`,
            SNAPSHOT_URLS: `gs://${b.backupGcs}/logical-snapshots/gcp,gs://${b.backupGcs}/logical-snapshots/aws,s3://${b.backupS3}/logical-snapshots/aws`,
            REPLICATION_MAX_LAG_SECONDS: "3600",
            REPLICATION_APPLY: "false",
            AWS_REGION: "us-east-1",
            AWS_ROLE_ARN: gcpRole,
            AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/secrets/langchain-ha/aws/token",
        });
    });

    test("activeSide gcp: the roles swap and the snapshot sets are written on GKE; the URLs stay", async () => {
        const r = new Resources((await plan("prod-gcp-active")).resources);
        const b = buckets(r);
        const eks = replicationEnvOf(deployment(r, "eks", "langchain-ha").spec.template.spec.containers[0]);
        const gke = replicationEnvOf(deployment(r, "gke", "langchain-ha").spec.template.spec.containers[0]);
        assert.equal(eks.ROLE, "standby");
        assert.equal(gke.ROLE, "active");
        assert.equal(gke.JOURNAL_URL, `gs://${b.journalGcs}/journal/gcp`);
        assert.equal(eks.PEER_JOURNAL_URLS, `gs://${b.journalGcs}/journal/gcp`, "no copy of GCP's journal lands in S3: the AWS standby reads GCS directly");
        const sets = r.ofType("kubernetes:batch/v1:CronJob").filter((c) => (c.inputs as Inputs).metadata.name === "logical-snapshots");
        assert.deepEqual(sets.map((c) => c.provider!.includes("gke-k8s")), [true]);
    });

    test("the followers apply, elect through the Lease and read the admin token from the service's Secret", async () => {
        const r = new Resources((await plan("prod")).resources);
        for (const cluster of ["eks", "gke"] as const) {
            const follower = deployment(r, cluster, "langchain-ha-follower");
            const serving = deployment(r, cluster, "langchain-ha");
            const c = follower.spec.template.spec.containers[0];
            const env = envOf(c);
            assert.equal(env.REPLICATION_APPLY, "true");
            assert.equal(env.LEASE_NAME, "langchain-ha-follower");
            const byName = Object.fromEntries((c.env as Inputs[]).map((e) => [e.name, e]));
            assert.deepEqual(byName.POD_NAME.valueFrom, { fieldRef: { fieldPath: "metadata.name" } });
            assert.deepEqual(byName.POD_NAMESPACE.valueFrom, { fieldRef: { fieldPath: "metadata.namespace" } });
            // Same service settings as the serving pods, apart from applying and the election.
            const servingEnv = envOf(serving.spec.template.spec.containers[0]);
            for (const key of ["ROLE", "JOURNAL_URL", "PEER_JOURNAL_URLS", "SNAPSHOT_URLS", "REPLICATION_MAX_LAG_SECONDS", "QDRANT_URL", "QDRANT_COLLECTION"]) {
                assert.equal(env[key], servingEnv[key], `${cluster}: ${key}`);
            }
            assert.deepEqual(c.envFrom, serving.spec.template.spec.containers[0].envFrom, "the Secret with ADMIN_TOKEN and the API keys");
            assert.equal(follower.spec.template.spec.serviceAccountName, serving.spec.template.spec.serviceAccountName);
            assert.deepEqual(follower.spec.template.spec.volumes.slice(1), serving.spec.template.spec.volumes.filter((v: Inputs) => !["data", "tls"].includes(v.name)), "the same federation volumes");
        }
        const secrets = r.onCluster("kubernetes:core/v1:Secret", "eks").map((s) => s.inputs as Inputs).find((s) => s.metadata.name === "langchain-ha-secrets")!;
        assert.equal(unsecret<Record<string, string>>(secrets.stringData).ADMIN_TOKEN, "<secret langchain-ha:adminToken>", "the stack secret is in the Secret the pods read");
    });
});

describe("follower workload", () => {
    test("warm: two zone-spread followers with probes and a PDB on each side, labelled as Qdrant clients", async () => {
        const r = new Resources((await plan("prod")).resources);
        for (const cluster of ["eks", "gke"] as const) {
            const f = deployment(r, cluster, "langchain-ha-follower");
            assert.equal(f.spec.replicas, 2);
            const labels = f.spec.template.metadata.labels;
            assert.equal(labels["langchain-ha/qdrant-client"], "true");
            assert.notEqual(labels["app.kubernetes.io/name"], "langchain-ha", "the serving Service and PDB must not select followers");
            const spread = f.spec.template.spec.topologySpreadConstraints;
            assert.deepEqual(spread.map((s: Inputs) => [s.topologyKey, s.whenUnsatisfiable]), [["topology.kubernetes.io/zone", "DoNotSchedule"], ["kubernetes.io/hostname", "ScheduleAnyway"]]);
            assert.deepEqual(spread[0].labelSelector.matchLabels, f.spec.selector.matchLabels);
            const c = f.spec.template.spec.containers[0];
            assert.equal(c.image, "ghcr.io/acme/langchain-ha:0.1.0");
            assert.deepEqual([c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path, c.startupProbe.httpGet.path], ["/livez", "/readyz", "/readyz"]);
            const pdb = r.onCluster("kubernetes:policy/v1:PodDisruptionBudget", cluster).map((p) => p.inputs as Inputs).find((p) => p.metadata.name === "langchain-ha-follower")!;
            assert.equal(pdb.spec.maxUnavailable, 1);
            assert.deepEqual(pdb.spec.selector.matchLabels, f.spec.selector.matchLabels);
        }
    });

    test("pilot light: the standby serves with 0 pods and still runs its followers", async () => {
        const r = new Resources((await plan("dev")).resources);
        assert.equal(deployment(r, "gke", "langchain-ha").spec.replicas, 0);
        assert.equal(deployment(r, "gke", "langchain-ha-follower").spec.replicas, 2);
        assert.equal(deployment(r, "gke", "langchain-ha-follower").metadata.annotations, undefined, "no pilot-light annotation on followers");
    });

    test("RBAC: one Role per cluster for the one Lease, bound to the service's account only", async () => {
        const r = new Resources((await plan("prod")).resources);
        for (const cluster of ["eks", "gke"] as const) {
            // Roles that grant anything on Leases (kube-state-metrics and the metrics collector have their own).
            const roles = r.onCluster("kubernetes:rbac.authorization.k8s.io/v1:Role", cluster).map((x) => x.inputs as Inputs)
                .filter((role) => role.rules.some((rule: Inputs) => rule.resources.includes("leases")));
            assert.equal(roles.length, 1);
            assert.deepEqual(roles[0]!.rules, [
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: ["langchain-ha-follower"], verbs: ["get", "update", "patch"] },
                { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
            ]);
            const bindings = r.onCluster("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", cluster).map((x) => x.inputs as Inputs)
                .filter((binding) => binding.roleRef.name === roles[0]!.metadata.name);
            assert.equal(bindings.length, 1);
            assert.deepEqual(bindings[0]!.roleRef, { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "langchain-ha-follower" });
            assert.deepEqual(bindings[0]!.subjects, [{ kind: "ServiceAccount", name: "langchain-ha", namespace: "langchain-ha" }]);
        }
    });

    test("a follower with fewer than 2 replicas or a bad lease name is refused before any resource", () => {
        const args = { replicas: 2, leaseName: "langchain-ha-follower" } as ReplicationFollowerArgs;
        assert.doesNotThrow(() => validateReplicationFollowerArgs("f", args));
        assert.throws(() => validateReplicationFollowerArgs("f", { ...args, replicas: 1 }), { message: "ReplicationFollower f: replicas must be at least 2 (one follower is a single point of failure), got 1" });
        assert.throws(() => validateReplicationFollowerArgs("f", { ...args, leaseName: "Lease_1" }), { message: 'ReplicationFollower f: leaseName "Lease_1" is not a Kubernetes object name' });
        assert.throws(() => new JournalStorage("j", { gcpProject: "p", gcpRegion: "europe-west1", expiryDays: 0, noncurrentVersionDays: 1 }), { message: "JournalStorage j: expiryDays must be at least 1, got 0" });
    });
});

describe("journal storage", () => {
    test("dedicated buckets on both clouds: versioned, encrypted, private, with the journal's expiry", async () => {
        const r = new Resources((await plan("prod")).resources);
        const bucketId = r.ofType("aws:s3/bucket:Bucket").find((b) => b.name === "prod-replication-journal-s3")!.id;
        const forBucket = (type: string) => r.inputsOf(type).filter((x) => x.bucket === bucketId);
        assert.deepEqual(forBucket("aws:s3/bucketVersioning:BucketVersioning").map((v) => v.versioningConfiguration.status), ["Enabled"]);
        assert.equal(forBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0]!.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
        const pab = forBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0]!;
        assert.ok(pab.blockPublicAcls && pab.blockPublicPolicy && pab.ignorePublicAcls && pab.restrictPublicBuckets);
        // prod: RPO 60 min -> snapshot sets every 30 min; 3 intervals round up to 1 day, plus 7 days of retention.
        const rule = forBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0]!.rules[0];
        assert.deepEqual([rule.expiration.days, rule.noncurrentVersionExpiration.noncurrentDays], [8, 30]);
        const gcs = r.inputsOf("gcp:storage/bucket:Bucket").find((b) => b.lifecycleRules[0].condition.age === 8)!;
        assert.deepEqual(gcs.versioning, { enabled: true });
        assert.equal(gcs.publicAccessPrevention, "enforced");
        assert.equal(gcs.location, "EUROPE-WEST1");
    });

    test("Storage Transfer copies the S3 journal to GCS as entries land (event mode), never deleting in the sink", async () => {
        const r = new Resources((await plan("dev")).resources);
        const b = r.ofType("aws:s3/bucket:Bucket").find((x) => x.name === "dev-replication-journal-s3")!;
        const job = r.inputsOf("gcp:storage/transferJob:TransferJob").find((j) => j.transferSpec.awsS3DataSource.bucketName === b.outputs.bucket)!;
        assert.ok(job.eventStream.name.startsWith("arn:aws:sqs:"), "event-driven even where backups use a schedule");
        assert.equal(job.transferSpec.transferOptions.deleteObjectsUniqueInSink, false);
        assert.equal(job.description, "replication journal: S3 to GCS (event)");
    });

    test("expiry keeps three snapshot intervals (rounded up to days) beyond the newest set, plus the retention", () => {
        assert.deepEqual(journalExpiry(30, 7), { marginDays: 1, expiryDays: 8 });
        assert.deepEqual(journalExpiry(720, 1), { marginDays: 2, expiryDays: 3 });
        assert.deepEqual(journalExpiry(1440, 14), { marginDays: 3, expiryDays: 17 });
    });

    test("config refuses a snapshot retention shorter than the journal's margin", () => {
        const minimal = { environment: "prod", aws: { eks: { adminPrincipalArns: ["arn:aws:iam::123456789012:role/ci-deploy"] } }, gcp: { project: "acme-rag-dr" }, dns: { hostedZoneId: "Z0123456789ABC", zoneName: "example.com", domain: "rag.example.com" } };
        // RPO of a week: snapshot sets daily, so the newest must outlive 3 days.
        assert.throws(() => resolveConfig("prod", { ...minimal, dr: { rpoMinutes: 7 * 24 * 60 }, backup: { retentionDays: 2 } }), (err: unknown) => {
            assert.ok(err instanceof ConfigError);
            assert.equal(err.message, "stacks/Pulumi.prod.yaml: langchain-ha:backup.retentionDays must be at least 3: the newest logical snapshot set, the base the journal replays from, must outlive 3 snapshot intervals");
            return true;
        });
        assert.throws(() => resolveConfig("prod", { ...minimal, replication: { followerReplicas: 1 } }), /langchain-ha:replication\.followerReplicas must be at least 2/);
        assert.equal(resolveConfig("prod", { ...minimal, replication: { journalRetentionDays: 14 } }).journal.expiryDays, 15);
    });
});

describe("identities", () => {
    const SUBJECT = "system:serviceaccount:langchain-ha:langchain-ha";

    test("EKS pods: an IRSA role for their service account, with exactly the journal and snapshot-set rights", async () => {
        const r = new Resources((await plan("prod")).resources);
        const b = buckets(r);
        const oidc = r.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").find((p) => p.name === "prod-eks-oidc")!;
        const issuerHost = String(oidc.inputs.url).replace("https://", "");
        const trust = JSON.parse(roleNamed(r, "prod-replication-identity-aws-app").inputs.assumeRolePolicy as string).Statement;
        assert.deepEqual(trust, [{
            Effect: "Allow",
            Principal: { Federated: oidc.outputs.arn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: { StringEquals: { [`${issuerHost}:sub`]: SUBJECT, [`${issuerHost}:aud`]: "sts.amazonaws.com" } },
        }]);
        const journal = `arn:aws:s3:::${b.journalS3}`;
        const backup = `arn:aws:s3:::${b.backupS3}`;
        const keys = r.ofType("aws:kms/key:Key");
        const journalKey = keys.find((k) => k.name === "prod-replication-journal-s3-key")!.outputs.arn;
        const backupKey = keys.find((k) => k.name === "prod-backup-s3-key")!.outputs.arn;
        assert.deepEqual(rolePolicy(r, "prod-replication-identity-aws-app"), [
            { Sid: "ListJournals", Effect: "Allow", Action: ["s3:ListBucket"], Resource: journal, Condition: { StringLike: { "s3:prefix": ["journal/*"] } } },
            { Sid: "ReadJournals", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${journal}/journal/*` },
            { Sid: "AppendAwsJournal", Effect: "Allow", Action: ["s3:PutObject"], Resource: `${journal}/journal/aws/*` },
            { Sid: "ListSnapshotSets", Effect: "Allow", Action: ["s3:ListBucket"], Resource: backup, Condition: { StringLike: { "s3:prefix": ["logical-snapshots/*"] } } },
            { Sid: "ReadSnapshotSets", Effect: "Allow", Action: ["s3:GetObject"], Resource: `${backup}/logical-snapshots/*` },
            { Sid: "WriteSnapshotSets", Effect: "Allow", Action: ["s3:PutObject"], Resource: `${backup}/logical-snapshots/aws/*` },
            { Sid: "JournalKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: journalKey },
            { Sid: "SnapshotKey", Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"], Resource: backupKey },
        ]);
        const sa = r.onCluster("kubernetes:core/v1:ServiceAccount", "eks").map((s) => s.inputs as Inputs).find((s) => s.metadata.name === "langchain-ha")!;
        assert.equal(sa.metadata.annotations["eks.amazonaws.com/role-arn"], roleNamed(r, "prod-replication-identity-aws-app").outputs.arn);
    });

    test("GKE pods reach S3 through an IAM OIDC provider for GKE's issuer: read both journals, append only to AWS's (the fence)", async () => {
        const r = new Resources((await plan("prod")).resources);
        const gke = r.ofType("gcp:container/cluster:Cluster")[0]!.outputs.name;
        const provider = r.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").find((p) => p.name === "prod-replication-identity-gke-oidc")!;
        assert.equal(provider.inputs.url, `https://container.googleapis.com/v1/projects/acme-rag-dr-prod/locations/europe-west1/clusters/${gke}`);
        assert.deepEqual(provider.inputs.clientIdLists, ["sts.amazonaws.com"]);
        const host = `container.googleapis.com/v1/projects/acme-rag-dr-prod/locations/europe-west1/clusters/${gke}`;
        const trust = JSON.parse(roleNamed(r, "prod-replication-identity-gcp-app").inputs.assumeRolePolicy as string).Statement[0];
        assert.equal(trust.Principal.Federated, provider.outputs.arn);
        assert.deepEqual(trust.Condition.StringEquals, { [`${host}:sub`]: SUBJECT, [`${host}:aud`]: "sts.amazonaws.com" });
        const statements = rolePolicy(r, "prod-replication-identity-gcp-app");
        assert.deepEqual(statements.map((s) => [s.Sid, s.Action]), [
            ["ListJournals", ["s3:ListBucket"]],
            ["ReadJournals", ["s3:GetObject"]],
            ["AppendAwsJournal", ["s3:PutObject"]],
            ["ListSnapshotSets", ["s3:ListBucket"]],
            ["ReadSnapshotSets", ["s3:GetObject"]],
            ["JournalKey", ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]],
            ["SnapshotKey", ["kms:Decrypt"]],
        ]);
        const gkePod = deployment(r, "gke", "langchain-ha").spec.template.spec;
        const token = gkePod.volumes.find((v: Inputs) => v.name === "aws-token");
        assert.deepEqual(token.projected.sources, [{ serviceAccountToken: { audience: "sts.amazonaws.com", path: "token", expirationSeconds: 3600 } }]);
        assert.deepEqual(gkePod.containers[0].volumeMounts.find((m: Inputs) => m.name === "aws-token"), { name: "aws-token", mountPath: "/var/run/secrets/langchain-ha/aws", readOnly: true });
    });

    test("GKE pods: a Google service account by Workload Identity with object admin on their own prefixes only", async () => {
        const r = new Resources((await plan("prod")).resources);
        const b = buckets(r);
        const gsa = r.ofType("gcp:serviceaccount/account:Account").find((a) => a.name === "prod-replication-identity-gcp-app")!;
        const wi = r.one("gcp:serviceaccount/iAMMember:IAMMember", "prod-replication-identity-gcp-app-wi");
        assert.deepEqual([wi.serviceAccountId, wi.role, wi.member], [gsa.outputs.name, "roles/iam.workloadIdentityUser", "serviceAccount:acme-rag-dr-prod.svc.id.goog[langchain-ha/langchain-ha]"]);
        const sa = r.onCluster("kubernetes:core/v1:ServiceAccount", "gke").map((s) => s.inputs as Inputs).find((s) => s.metadata.name === "langchain-ha")!;
        assert.equal(sa.metadata.annotations["iam.gke.io/gcp-service-account"], gsa.outputs.email);
        assert.equal(deployment(r, "gke", "langchain-ha-follower").spec.template.spec.serviceAccountName, "langchain-ha");

        const pool = r.ofType("gcp:iam/workloadIdentityPool:WorkloadIdentityPool")[0]!.outputs.name as string;
        const eks = `principal://iam.googleapis.com/${pool}/subject/${SUBJECT}`;
        const member = `serviceAccount:${gsa.outputs.email}`;
        const prefix = (bucket: string, p: string) => `resource.name.startsWith("projects/_/buckets/${bucket}/objects/${p}/")`;
        const listable = (bucket: string, p: string) => `resource.type == "storage.googleapis.com/Bucket" || ${prefix(bucket, p)}`;
        const grants = r.ofType("gcp:storage/bucketIAMMember:BucketIAMMember").filter((g) => g.name.startsWith("prod-replication-identity-"))
            .map((g) => g.inputs as Inputs).map((g) => [g.bucket, g.role, g.member, g.condition?.expression]);
        const order = (x: unknown[]) => JSON.stringify(x);
        assert.deepEqual(grants.sort((x, y) => order(x).localeCompare(order(y))), [
            [b.journalGcs, "roles/storage.objectViewer", member, undefined],
            [b.journalGcs, "roles/storage.objectAdmin", member, prefix(b.journalGcs, "journal/gcp")],
            [b.backupGcs, "roles/storage.objectViewer", member, listable(b.backupGcs, "logical-snapshots")],
            [b.backupGcs, "roles/storage.objectAdmin", member, prefix(b.backupGcs, "logical-snapshots/gcp")],
            [b.journalGcs, "roles/storage.objectViewer", eks, undefined],
            [b.journalGcs, "roles/storage.objectCreator", eks, prefix(b.journalGcs, "journal/gcp")],
            [b.backupGcs, "roles/storage.objectViewer", eks, listable(b.backupGcs, "logical-snapshots")],
        ].sort((x, y) => order(x).localeCompare(order(y))));
    });

    test("EKS pods reach GCS keylessly: a federation pool trusting only their service account, a credential file and a projected token", async () => {
        const r = new Resources((await plan("prod")).resources);
        const eksIssuer = r.ofType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").find((p) => p.name === "prod-eks-oidc")!.inputs.url;
        const provider = r.ofType("gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider")[0]!;
        assert.deepEqual(provider.inputs.oidc, { issuerUri: eksIssuer, allowedAudiences: ["langchain-ha-prod-gcs"] });
        assert.equal(provider.inputs.attributeCondition, `assertion.sub == "${SUBJECT}"`);
        assert.deepEqual(provider.inputs.attributeMapping, { "google.subject": "assertion.sub" });
        const config = r.onCluster("kubernetes:core/v1:ConfigMap", "eks").map((c) => c.inputs as Inputs).find((c) => c.metadata.name === "langchain-ha-gcp-federation")!;
        assert.deepEqual(JSON.parse(config.data["credentials.json"]), {
            type: "external_account",
            audience: `//iam.googleapis.com/${provider.outputs.name}`,
            subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
            token_url: "https://sts.googleapis.com/v1/token",
            credential_source: { file: "/var/run/secrets/langchain-ha/gcp/token" },
        });
        for (const name of ["langchain-ha", "langchain-ha-follower"]) {
            const pod = deployment(r, "eks", name).spec.template.spec;
            assert.equal(pod.serviceAccountName, "langchain-ha");
            assert.deepEqual(pod.volumes.find((v: Inputs) => v.name === "gcp-token").projected.sources[0].serviceAccountToken.audience, "langchain-ha-prod-gcs");
            assert.deepEqual(pod.volumes.find((v: Inputs) => v.name === "gcp-federation").configMap, { name: "langchain-ha-gcp-federation" });
        }
        const keys = r.ofType("gcp:serviceaccount/key:Key").length + r.ofType("aws:iam/accessKey:AccessKey").length + r.ofType("gcp:storage/hmacKey:HmacKey").length;
        assert.equal(keys, 0, "no long-lived key anywhere");
    });
});

test("GCP ids from stack names: lowercase, no stray characters, within the limit, no trailing hyphen", () => {
    assert.equal(gcpId("langchain-ha-app-prod", 30), "langchain-ha-app-prod");
    assert.equal(gcpId("langchain-ha-app-Prod.EU_2", 30), "langchain-ha-app-prod-eu-2");
    assert.equal(gcpId("langchain-ha-app-abcdefghijkl-x", 30), "langchain-ha-app-abcdefghijkl", "cut at a hyphen");
    assert.equal(gcpId("langchain-ha-app-productionx-eu", 30), "langchain-ha-app-productionx-e");
});

describe("snapshot sets and outputs", () => {
    test("the active side asks its service for a snapshot set on the snapshot schedule, through an internal Service", async () => {
        const r = new Resources((await plan("prod")).resources);
        const cron = r.onCluster("kubernetes:batch/v1:CronJob", "eks").map((c) => c.inputs as Inputs).find((c) => c.metadata.name === "logical-snapshots")!;
        assert.equal(cron.spec.schedule, "*/30 * * * *");
        assert.equal(cron.spec.concurrencyPolicy, "Forbid");
        const c = cron.spec.jobTemplate.spec.template.spec.containers[0];
        assert.deepEqual(c.env, [{ name: "ADMIN_TOKEN", valueFrom: { secretKeyRef: { name: "langchain-ha-secrets", key: "ADMIN_TOKEN" } } }]);
        assert.match(c.command[2], /-H @- .*http:\/\/langchain-ha-internal:8080\/admin\/v1\/snapshots$/);
        assert.doesNotMatch(c.command[2], /Bearer \$\{?ADMIN_TOKEN\}? /, "the token is not on curl's command line");
        const internal = r.onCluster("kubernetes:core/v1:Service", "eks").map((s) => s.inputs as Inputs).find((s) => s.metadata.name === "langchain-ha-internal")!;
        assert.equal(internal.spec.type, "ClusterIP");
        assert.deepEqual(internal.spec.selector, deployment(r, "eks", "langchain-ha").spec.selector.matchLabels);
        assert.equal(r.onCluster("kubernetes:batch/v1:CronJob", "gke").length, 0);
        const standbyInternal = r.onCluster("kubernetes:core/v1:Service", "gke").map((s) => s.inputs as Inputs).find((s) => s.metadata.name === "langchain-ha-internal")!;
        assert.deepEqual(standbyInternal.spec.selector, internal.spec.selector, "the runbook reaches the standby's admin routes the same way");
    });

    test("outputs give the runbook the journals, snapshot sets, followers, lease and where the admin token is, never its value", async () => {
        const p = await plan("prod");
        const r = new Resources(p.resources);
        const b = buckets(r);
        const o = p.outputs.replication as Inputs;
        assert.deepEqual(o.journals, { aws: `s3://${b.journalS3}/journal/aws`, gcp: `gs://${b.journalGcs}/journal/gcp` });
        assert.deepEqual(o.snapshotSets.aws[0], `s3://${b.backupS3}/logical-snapshots/aws`);
        assert.deepEqual(o.followers, { aws: "langchain-ha-follower", gcp: "langchain-ha-follower" });
        assert.equal(o.leaseName, "langchain-ha-follower");
        assert.deepEqual(o.adminToken, { secretName: "langchain-ha-secrets", key: "ADMIN_TOKEN", configKey: "langchain-ha:adminToken" });
        assert.equal(o.journalExpiryDays, 8);
        assert.deepEqual(o.internalServices, { aws: "langchain-ha-internal", gcp: "langchain-ha-internal" });
        assert.deepEqual(o.api, { status: "/v1/replication", promote: "/admin/v1/promote", snapshots: "/admin/v1/snapshots" });
        assert.ok(!JSON.stringify(p.outputs).includes("<secret langchain-ha:adminToken>"), "the admin token's value is not an output");
    });
});
