import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as aws from "@pulumi/aws";
import * as gcp from "@pulumi/gcp";
import { CrossCloudBackup, type CrossCloudBackupArgs } from "../../infra/backup/crossCloudBackup";
import { CrossCloudTransfer, validateCrossCloudTransferArgs } from "../../infra/backup/transfer";
import * as pulumi from "@pulumi/pulumi";
import type { MockCallArgs, Mocks } from "@pulumi/pulumi/runtime/mocks";
import { cloudMocks } from "../../infra/plan/mocks";
import { declare, type Resources } from "./harness";

/**
 * Every value the backup components declare, written out by hand: where snapshots go, who may
 * write and read them, how long each copy is kept, when the copy out of AWS runs and what the
 * snapshot job is told. A changed retention, role or variable here loses backups without any
 * other check noticing. Names and ARNs the clouds would assign come from the plan's mocks
 * (read back from the recorded resources); none of the expected values is computed by the
 * components' code.
 */

const TAGS = { project: "langchain-ha", stack: "prod" };
const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/ABC";
const OIDC_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
/** What the mocks answer for the Storage Transfer service identity of acme-rag-dr. */
const STS_SUBJECT = "109876543210987654321";
const STS_EMAIL = "project-173918862@storage-transfer-service.iam.gserviceaccount.com";

type Overrides = Partial<Omit<CrossCloudBackupArgs, "aws" | "gcp">> & { cloudProviders?: boolean };

/** What a test may add around the program: other mocks, or code run in the stack before the component (a stack transformation). */
interface Around {
    mocks?: Mocks;
    before?: () => void;
}

/** A CrossCloudBackup on two clusters with prod-like arguments and `overrides`; `cloudProviders` adds explicit AWS and GCP providers. */
function backup(overrides: Overrides = {}, around: Around = {}): Promise<Resources> {
    const { cloudProviders, ...args } = overrides;
    return declare(() => {
        around.before?.();
        const eks = new k8s.Provider("eks-k8s", { kubeconfig: "{}" });
        const gke = new k8s.Provider("gke-k8s", { kubeconfig: "{}" });
        const providers = cloudProviders
            ? { awsProvider: new aws.Provider("aws-primary", { region: "us-east-1" }), gcpProvider: new gcp.Provider("gcp-dr", { project: "acme-rag-dr" }) }
            : {};
        new CrossCloudBackup("backup", {
            stack: "prod",
            activeSide: "aws",
            collection: "documents",
            qdrantPeers: 3,
            qdrantApiKeySecretName: "qdrant-api-key",
            snapshotCron: "*/30 * * * *",
            transferMode: "schedule",
            transferRepeatInterval: "3600s",
            transferStartDate: { year: 2026, month: 11, day: 30 },
            retentionDays: 35,
            noncurrentVersionDays: 30,
            jobImage: "amazon/aws-cli:2.27.50",
            gcpProject: "acme-rag-dr",
            gcpRegion: "europe-west1",
            eksOidcProviderArn: OIDC_ARN,
            eksOidcIssuerHost: ISSUER,
            gkeWorkloadPool: "acme-rag-dr.svc.id.goog",
            aws: { provider: eks, namespace: "langchain-ha", qdrantHeadlessHost: "qdrant-headless.langchain-ha.svc.cluster.local" },
            gcp: { provider: gke, namespace: "langchain-dr", qdrantHeadlessHost: "qdrant-headless.langchain-dr.svc.cluster.local" },
            tags: TAGS,
            ...providers,
            ...args,
        });
    }, "test", around.mocks);
}

/** Mock outputs of the one resource of `type` (named `name`). */
function outputsOf(r: Resources, type: string, name?: string): Record<string, string> {
    const found = r.ofType(type).filter((x) => name === undefined || x.name === name);
    assert.equal(found.length, 1, `one ${type} ${name ?? ""}`);
    return found[0]!.outputs as Record<string, string>;
}

function json(value: unknown): unknown {
    return JSON.parse(value as string);
}

/** The mock-assigned names the expectations refer to. */
function names(r: Resources) {
    const s3 = outputsOf(r, "aws:s3/bucket:Bucket");
    const account = outputsOf(r, "gcp:serviceaccount/account:Account");
    return {
        s3Bucket: s3.bucket!,
        s3Arn: s3.arn!,
        kmsArn: outputsOf(r, "aws:kms/key:Key").arn!,
        gcsBucket: outputsOf(r, "gcp:storage/bucket:Bucket").name!,
        accountEmail: account.email!,
        accountName: account.name!,
        accountUniqueId: account.uniqueId!,
        awsJobRoleArn: outputsOf(r, "aws:iam/role:Role", "backup-job-aws").arn!,
        federatedRoleArn: outputsOf(r, "aws:iam/role:Role", "backup-job-gcp-to-aws").arn!,
        stsRoleArn: outputsOf(r, "aws:iam/role:Role", "backup-transfer-sts-role").arn!,
    };
}

let defaults: Promise<Resources> | undefined;
/** AWS active, scheduled transfers: declared once, read by most tests. */
const awsActive = () => (defaults ??= backup());

const SNAPSHOT_LABELS = {
    "app.kubernetes.io/name": "qdrant-snapshots",
    "app.kubernetes.io/instance": "qdrant-snapshots",
    "app.kubernetes.io/component": "backup",
    "app.kubernetes.io/part-of": "langchain-ha",
    "app.kubernetes.io/managed-by": "pulumi",
};

describe("CrossCloudBackup's S3 bucket (exact; the bucket itself in snapshot-bucket.exact.test.ts)", () => {
    test("snapshots expire after 35 days, replaced versions after 30; the key and bucket carry the stack's tags", async () => {
        const r = await awsActive();
        const rule = r.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules[0];
        assert.deepEqual([rule.expiration, rule.noncurrentVersionExpiration], [{ days: 35 }, { noncurrentDays: 30 }]);
        assert.deepEqual(r.one("aws:kms/key:Key").tags, TAGS);
        for (const [k, v] of Object.entries(TAGS)) assert.equal(r.one("aws:s3/bucket:Bucket").tags[k], v, `bucket tag ${k}`);
    });
});

describe("CrossCloudTransfer (exact)", () => {
    test("the GCS copy: versioned, in the DR region, uniform access, never public, 35 days live and 30 replaced", async () => {
        const r = await awsActive();
        assert.deepEqual(r.one("gcp:storage/bucket:Bucket"), {
            project: "acme-rag-dr",
            location: "EUROPE-WEST1",
            storageClass: "STANDARD",
            uniformBucketLevelAccess: true,
            publicAccessPrevention: "enforced",
            versioning: { enabled: true },
            forceDestroy: false,
            labels: { "holds-backups": "true" },
            lifecycleRules: [
                { action: { type: "Delete" }, condition: { age: 35, withState: "LIVE" } },
                { action: { type: "Delete" }, condition: { daysSinceNoncurrentTime: 30, withState: "ARCHIVED" } },
            ],
        });
    });

    test("Storage Transfer's identity may write and list the GCS bucket, and read S3 through a role trusting only it", async () => {
        const r = await awsActive();
        const n = names(r);
        const members = Object.fromEntries(r.ofType("gcp:storage/bucketIAMMember:BucketIAMMember").filter((m) => m.name.startsWith("backup-transfer-sts-")).map((m) => [m.name, m.inputs]));
        const member = `serviceAccount:${STS_EMAIL}`;
        assert.deepEqual(members, {
            "backup-transfer-sts-objectAdmin": { bucket: n.gcsBucket, role: "roles/storage.objectAdmin", member },
            "backup-transfer-sts-legacyBucketReader": { bucket: n.gcsBucket, role: "roles/storage.legacyBucketReader", member },
        });
        const role = r.one("aws:iam/role:Role", "backup-transfer-sts-role");
        assert.deepEqual({ ...role, assumeRolePolicy: json(role.assumeRolePolicy) }, {
            description: "Read by GCP Storage Transfer Service through web-identity federation",
            assumeRolePolicy: {
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Federated: "accounts.google.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: { StringEquals: { "accounts.google.com:sub": STS_SUBJECT } },
                }],
            },
            maxSessionDuration: 3600,
            tags: TAGS,
        });
        const read = r.one("aws:iam/rolePolicy:RolePolicy", "backup-transfer-sts-read");
        assert.equal(read.role, r.ofType("aws:iam/role:Role").find((x) => x.name === "backup-transfer-sts-role")!.id);
        assert.deepEqual(json(read.policy), {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: n.s3Arn },
                { Effect: "Allow", Action: ["s3:GetObject"], Resource: `${n.s3Arn}/*` },
                { Effect: "Allow", Action: ["kms:Decrypt"], Resource: n.kmsArn },
            ],
        });
    });

    test("schedule mode: the job copies S3 to GCS every hour from the first day, overwriting changed objects and deleting nothing", async () => {
        const r = await awsActive();
        const n = names(r);
        assert.equal(r.ofType("aws:sqs/queue:Queue").length, 0);
        assert.equal(r.ofType("aws:s3/bucketNotification:BucketNotification").length, 0);
        const job = r.ofType("gcp:storage/transferJob:TransferJob");
        assert.equal(job.length, 1);
        assert.deepEqual(job[0]!.inputs, {
            project: "acme-rag-dr",
            description: "Qdrant snapshots: S3 to GCS (schedule)",
            transferSpec: {
                awsS3DataSource: { bucketName: n.s3Bucket, roleArn: n.stsRoleArn },
                gcsDataSink: { bucketName: n.gcsBucket },
                transferOptions: { overwriteWhen: "DIFFERENT", deleteObjectsUniqueInSink: false, deleteObjectsFromSourceAfterTransfer: false },
            },
            schedule: { scheduleStartDate: { year: 2026, month: 11, day: 30 }, repeatInterval: "3600s" },
            loggingConfig: { logActions: ["COPY", "DELETE"], logActionStates: ["FAILED"] },
        });
        const readPolicy = r.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "backup-transfer-sts-read")!;
        assert.ok(job[0]!.dependencies.includes(readPolicy.urn), "the job starts once its role may read");
    });

    test("event mode: S3 notifies a queue only S3 may send to, for this bucket; the job consumes it and may drain it", async () => {
        const r = await backup({ transferMode: "event", transferRepeatInterval: "1800s" });
        const n = names(r);
        const queue = r.ofType("aws:sqs/queue:Queue");
        assert.equal(queue.length, 1);
        assert.deepEqual(queue[0]!.inputs, { messageRetentionSeconds: 345600, sqsManagedSseEnabled: true, tags: TAGS });
        const queueArn = queue[0]!.outputs.arn as string;
        const queuePolicy = r.ofType("aws:sqs/queuePolicy:QueuePolicy");
        assert.equal(queuePolicy.length, 1);
        assert.equal(queuePolicy[0]!.inputs.queueUrl, queue[0]!.outputs.url);
        assert.deepEqual(json(queuePolicy[0]!.inputs.policy), {
            Version: "2012-10-17",
            Statement: [{
                Effect: "Allow",
                Principal: { Service: "s3.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: queueArn,
                Condition: { ArnEquals: { "aws:SourceArn": n.s3Arn } },
            }],
        });
        const notification = r.ofType("aws:s3/bucketNotification:BucketNotification");
        assert.equal(notification.length, 1);
        assert.deepEqual(notification[0]!.inputs, { bucket: n.s3Bucket, queues: [{ queueArn, events: ["s3:ObjectCreated:*"] }] });
        assert.ok(notification[0]!.dependencies.includes(queuePolicy[0]!.urn), "S3 checks it may send before accepting the configuration");
        assert.deepEqual(json(r.one("aws:iam/rolePolicy:RolePolicy", "backup-transfer-sts-read").policy), {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: n.s3Arn },
                { Effect: "Allow", Action: ["s3:GetObject"], Resource: `${n.s3Arn}/*` },
                { Effect: "Allow", Action: ["kms:Decrypt"], Resource: n.kmsArn },
                { Effect: "Allow", Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"], Resource: queueArn },
            ],
        });
        const job = r.ofType("gcp:storage/transferJob:TransferJob")[0]!;
        assert.equal(job.inputs.description, "Qdrant snapshots: S3 to GCS (event)");
        assert.deepEqual(job.inputs.eventStream, { name: queueArn });
        assert.equal(job.inputs.schedule, undefined);
        const readPolicy = r.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "backup-transfer-sts-read")!;
        for (const before of [readPolicy, notification[0]!]) assert.ok(job.dependencies.includes(before.urn), `the job starts after ${before.name}`);
    });

    test("its outputs and children; another content named in the job", async () => {
        let transfer: CrossCloudTransfer | undefined;
        const r = await declare(() => {
            transfer = new CrossCloudTransfer("copy", {
                gcpProject: "acme-rag-dr",
                gcpRegion: "us-central1",
                s3BucketName: "exports",
                s3BucketArn: "arn:aws:s3:::exports",
                s3KmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k",
                mode: "event",
                repeatInterval: "60s",
                retentionDays: 7,
                noncurrentVersionDays: 3,
                contents: "document exports",
            });
        });
        const job = r.one("gcp:storage/transferJob:TransferJob");
        assert.equal(job.description, "document exports: S3 to GCS (event)");
        assert.equal(r.one("gcp:storage/bucket:Bucket").location, "US-CENTRAL1");
        assert.deepEqual(r.one("aws:sqs/queue:Queue").tags, {});
        assert.deepEqual(r.one("aws:iam/role:Role").tags, {});
        const component = r.ofType("langchain-ha:backup:CrossCloudTransfer")[0]!;
        for (const c of r.all.filter((x) => x.custom)) assert.equal(c.parent, component.urn, `${c.type} under the component`);
        assert.deepEqual(component.outputs, {
            gcsBucketName: outputsOf(r, "gcp:storage/bucket:Bucket").name,
            transferJobName: outputsOf(r, "gcp:storage/transferJob:TransferJob").name,
            transferRoleArn: outputsOf(r, "aws:iam/role:Role").arn,
        });
        assert.equal(await new Promise((resolve) => transfer!.eventQueueArn!.apply(resolve)), outputsOf(r, "aws:sqs/queue:Queue").arn);
    });

    test("the repeat interval is whole seconds, at least an hour in schedule mode, which needs a start date", () => {
        const ok = { mode: "schedule" as const, repeatInterval: "3600s", startDate: { year: 2026, month: 11, day: 30 } };
        assert.doesNotThrow(() => validateCrossCloudTransferArgs("t", ok));
        assert.doesNotThrow(() => validateCrossCloudTransferArgs("t", { mode: "event", repeatInterval: "60s" }));
        for (const bad of ["3600", "a3600s", "3600sx", "1h"]) {
            assert.throws(() => validateCrossCloudTransferArgs("t", { ...ok, repeatInterval: bad }), { message: `CrossCloudTransfer t: repeatInterval must look like "3600s", got ${bad}` });
        }
        assert.throws(() => validateCrossCloudTransferArgs("t", { ...ok, repeatInterval: "3599s" }), { message: "CrossCloudTransfer t: Storage Transfer rejects a repeatInterval below 3600s, got 3599s" });
        assert.throws(() => validateCrossCloudTransferArgs("t", { mode: "schedule", repeatInterval: "3600s" }), { message: "CrossCloudTransfer t: a schedule needs its startDate" });
        assert.throws(() => new CrossCloudTransfer("t", { gcpProject: "p", gcpRegion: "r", s3BucketName: "b", s3BucketArn: "a", s3KmsKeyArn: "k", mode: "schedule", repeatInterval: "60s", retentionDays: 1, noncurrentVersionDays: 1 }), {
            message: "CrossCloudTransfer t: Storage Transfer rejects a repeatInterval below 3600s, got 60s",
        });
    });
});

describe("CrossCloudBackup, AWS active (exact)", () => {
    test("the AWS job role trusts only the cluster's OIDC issuer for the job's service account, and may write snapshots and use the key", async () => {
        const r = await awsActive();
        const n = names(r);
        const role = r.one("aws:iam/role:Role", "backup-job-aws");
        assert.deepEqual(role.tags, TAGS);
        assert.deepEqual(json(role.assumeRolePolicy), {
            Version: "2012-10-17",
            Statement: [{
                Effect: "Allow",
                Principal: { Federated: OIDC_ARN },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: { StringEquals: { [`${ISSUER}:sub`]: "system:serviceaccount:langchain-ha:qdrant-snapshots", [`${ISSUER}:aud`]: "sts.amazonaws.com" } },
            }],
        });
        const writeS3 = {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: `${n.s3Arn}/*` },
                { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"], Resource: n.kmsArn },
            ],
        };
        const roleId = (name: string) => r.ofType("aws:iam/role:Role").find((x) => x.name === name)!.id;
        const policy = r.one("aws:iam/rolePolicy:RolePolicy", "backup-job-aws");
        assert.equal(policy.role, roleId("backup-job-aws"));
        assert.deepEqual(json(policy.policy), writeS3);
        const federatedPolicy = r.one("aws:iam/rolePolicy:RolePolicy", "backup-job-gcp-to-aws");
        assert.equal(federatedPolicy.role, roleId("backup-job-gcp-to-aws"));
        assert.deepEqual(json(federatedPolicy.policy), writeS3);
    });

    test("the GCP job identity: a Google account the GKE job's service account may act as, allowed to create objects in the copy, and an AWS role trusting its tokens", async () => {
        const r = await awsActive();
        const n = names(r);
        assert.deepEqual(r.one("gcp:serviceaccount/account:Account"), { project: "acme-rag-dr", accountId: "qdrant-snapshots-prod", displayName: "Qdrant snapshot job" });
        assert.deepEqual(r.one("gcp:storage/bucketIAMMember:BucketIAMMember", "backup-job-gcp-writer"), { bucket: n.gcsBucket, role: "roles/storage.objectCreator", member: `serviceAccount:${n.accountEmail}` });
        assert.deepEqual(r.one("gcp:serviceaccount/iAMMember:IAMMember"), {
            serviceAccountId: n.accountName,
            role: "roles/iam.workloadIdentityUser",
            member: "serviceAccount:acme-rag-dr.svc.id.goog[langchain-dr/qdrant-snapshots]",
        });
        const role = r.one("aws:iam/role:Role", "backup-job-gcp-to-aws");
        assert.deepEqual({ ...role, assumeRolePolicy: json(role.assumeRolePolicy) }, {
            description: "Assumed by the GKE snapshot job with its Google identity",
            assumeRolePolicy: {
                Version: "2012-10-17",
                Statement: [{
                    Effect: "Allow",
                    Principal: { Federated: "accounts.google.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: { StringEquals: { "accounts.google.com:sub": n.accountUniqueId, "accounts.google.com:oaud": "langchain-ha-prod-snapshots" } },
                }],
            },
            tags: TAGS,
        });
    });

    test("the snapshot CronJob runs on EKS every 30 min with its IRSA role, told where Qdrant and both buckets are (the job itself in snapshot-job.exact.test.ts)", async () => {
        const r = await awsActive();
        const n = names(r);
        const sa = r.onCluster("kubernetes:core/v1:ServiceAccount", "eks");
        assert.equal(sa.length, 1);
        assert.deepEqual(r.one("kubernetes:core/v1:ServiceAccount").metadata.annotations, { "eks.amazonaws.com/role-arn": n.awsJobRoleArn });
        assert.equal(r.onCluster("kubernetes:batch/v1:CronJob", "gke").length, 0, "only the active side snapshots");
        assert.equal(r.onCluster("kubernetes:batch/v1:CronJob", "eks").length, 1);
        const cronJob = r.one("kubernetes:batch/v1:CronJob");
        assert.deepEqual([cronJob.metadata.namespace, cronJob.spec.schedule], ["langchain-ha", "*/30 * * * *"]);
        const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0];
        assert.equal(container.image, "amazon/aws-cli:2.27.50");
        assert.deepEqual(container.env, [
            { name: "COLLECTION", value: "documents" },
            { name: "PEERS", value: "3" },
            { name: "HEADLESS_HOST", value: "qdrant-headless.langchain-ha.svc.cluster.local" },
            { name: "QDRANT_PORT", value: "6333" },
            { name: "TARGET", value: "s3" },
            { name: "S3_BUCKET", value: n.s3Bucket },
            { name: "KMS_KEY_ID", value: n.kmsArn },
            { name: "GCS_BUCKET", value: n.gcsBucket },
            { name: "HOME", value: "/tmp" },
            { name: "QDRANT_API_KEY", valueFrom: { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } } },
        ]);
    });

    test("its outputs; the components under it, their resources under them", async () => {
        const r = await awsActive();
        const n = names(r);
        const component = r.ofType("langchain-ha:backup:CrossCloudBackup")[0]!;
        assert.deepEqual(component.outputs, {
            s3BucketName: n.s3Bucket,
            gcsBucketName: n.gcsBucket,
            transferJobName: outputsOf(r, "gcp:storage/transferJob:TransferJob").name,
            snapshotCronJobName: "qdrant-snapshots",
        });
        const urnOf = (type: string) => r.ofType(type)[0]!.urn;
        const parents = Object.fromEntries(r.all.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:")).map((x) => [`${x.type} ${x.name}`, x.parent]));
        const under = (urn: string) => Object.keys(parents).filter((k) => parents[k] === urn).sort();
        assert.deepEqual(under(component.urn), [
            "aws:iam/role:Role backup-job-aws",
            "aws:iam/role:Role backup-job-gcp-to-aws",
            "aws:iam/rolePolicy:RolePolicy backup-job-aws",
            "aws:iam/rolePolicy:RolePolicy backup-job-gcp-to-aws",
            "gcp:serviceaccount/account:Account backup-job-gcp",
            "gcp:serviceaccount/iAMMember:IAMMember backup-job-gcp-wi",
            "gcp:storage/bucketIAMMember:BucketIAMMember backup-job-gcp-writer",
        ]);
        assert.equal(r.ofType("langchain-ha:backup:SnapshotBucket")[0]!.parent, component.urn);
        assert.equal(r.ofType("langchain-ha:backup:CrossCloudTransfer")[0]!.parent, component.urn);
        assert.equal(r.ofType("langchain-ha:backup:SnapshotJob")[0]!.parent, component.urn);
        assert.equal(r.ofType("langchain-ha:backup:SnapshotJob")[0]!.name, "backup-job-aws");
        assert.equal(under(urnOf("langchain-ha:backup:SnapshotBucket")).length, 8);
        assert.equal(under(urnOf("langchain-ha:backup:CrossCloudTransfer")).length, 6);
        assert.deepEqual(r.ofType("langchain-ha:backup:SnapshotJob")[0]!.outputs, { cronJobName: "qdrant-snapshots" });
        assert.equal(under(urnOf("langchain-ha:backup:SnapshotJob")).length, 3);
    });

    test("without cloud providers every cloud resource uses the default one; with them, each cloud's own", async () => {
        const r = await backup({ cloudProviders: true });
        for (const x of r.all.filter((y) => y.custom)) {
            const cloud = x.type.split(":")[0];
            if (cloud === "aws") assert.match(x.provider ?? "", /::aws-primary::/, `${x.type} ${x.name} on the primary region's provider`);
            if (cloud === "gcp") assert.match(x.provider ?? "", /::gcp-dr::/, `${x.type} ${x.name} on the DR project's provider`);
            if (cloud === "kubernetes") assert.match(x.provider ?? "", /::eks-k8s::/, `${x.type} ${x.name} on the active cluster`);
        }
        const defaults = await awsActive();
        for (const x of defaults.all.filter((y) => y.custom && (y.type.startsWith("aws:") || y.type.startsWith("gcp:")))) {
            assert.equal(x.provider, undefined, `${x.type} ${x.name} on the default provider`);
        }
    });

    test("Storage Transfer's identity is looked up in the DR project through its provider; the job keeps its first start date", async () => {
        const calls: MockCallArgs[] = [];
        const ignored = new Map<string, string[] | undefined>();
        await backup({ cloudProviders: true }, {
            mocks: { call: (a) => (calls.push(a), cloudMocks.call(a)), newResource: (a) => cloudMocks.newResource(a) },
            before: () =>
                pulumi.runtime.registerStackTransformation((a) => {
                    if (a.type === "gcp:storage/transferJob:TransferJob") ignored.set(a.name, a.opts.ignoreChanges);
                    return undefined;
                }),
        });
        const lookups = calls.filter((c) => c.token === "gcp:storage/getTransferProjectServiceAccount:getTransferProjectServiceAccount");
        assert.deepEqual(lookups.map((c) => ({ project: (c.inputs as { project?: string }).project, provider: c.provider?.split("::")[3] })), [{ project: "acme-rag-dr", provider: "gcp-dr" }]);
        // The start date is the day of the first deployment: a later run with another date must not replace the job.
        assert.deepEqual([...ignored], [["backup-transfer-job", ["schedule.scheduleStartDate"]]]);
    });
});

describe("CrossCloudBackup, GCP active (exact)", () => {
    test("the snapshot CronJob runs on GKE as the Google account and uploads to GCS, and to S3 through the federated role", async () => {
        const r = await backup({ activeSide: "gcp", stack: "staging" });
        const n = names(r);
        assert.equal(r.onCluster("kubernetes:batch/v1:CronJob", "eks").length, 0, "only the active side snapshots");
        const sa = r.onCluster("kubernetes:core/v1:ServiceAccount", "gke");
        assert.equal(sa.length, 1);
        assert.deepEqual(sa[0]!.inputs.metadata, { name: "qdrant-snapshots", namespace: "langchain-dr", labels: SNAPSHOT_LABELS, annotations: { "iam.gke.io/gcp-service-account": n.accountEmail } });
        const cronJob = r.onCluster("kubernetes:batch/v1:CronJob", "gke");
        assert.equal(cronJob.length, 1);
        const spec = r.one("kubernetes:batch/v1:CronJob");
        assert.equal(spec.metadata.namespace, "langchain-dr");
        assert.equal(r.ofType("langchain-ha:backup:SnapshotJob")[0]!.name, "backup-job-gcp");
        assert.deepEqual(spec.spec.jobTemplate.spec.template.spec.containers[0].env, [
            { name: "COLLECTION", value: "documents" },
            { name: "PEERS", value: "3" },
            { name: "HEADLESS_HOST", value: "qdrant-headless.langchain-dr.svc.cluster.local" },
            { name: "QDRANT_PORT", value: "6333" },
            { name: "TARGET", value: "gcs" },
            { name: "S3_BUCKET", value: n.s3Bucket },
            { name: "KMS_KEY_ID", value: n.kmsArn },
            { name: "GCS_BUCKET", value: n.gcsBucket },
            { name: "HOME", value: "/tmp" },
            { name: "QDRANT_API_KEY", valueFrom: { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } } },
            { name: "AWS_ROLE_ARN", value: n.federatedRoleArn },
            { name: "AWS_WEB_IDENTITY_AUDIENCE", value: "langchain-ha-staging-snapshots" },
        ]);
        assert.equal(r.one("gcp:serviceaccount/account:Account").accountId, "qdrant-snapshots-staging");
    });

    test("a long stack name is cut to GCP's 30-character account id, which may not end in a hyphen", async () => {
        const r = await backup({ stack: "staging-west-2" });
        // "qdrant-snapshots-staging-west-2" is 31 characters; its first 30 end in "-".
        assert.equal(r.one("gcp:serviceaccount/account:Account").accountId, "qdrant-snapshots-staging-west");
        const long = await backup({ stack: "production-europe" });
        assert.equal(long.one("gcp:serviceaccount/account:Account").accountId, "qdrant-snapshots-production-eu");
        // "qdrant-snapshots-staging-euw--2": the cut lands after two hyphens; both go.
        const hyphens = await backup({ stack: "staging-euw--2" });
        assert.equal(hyphens.one("gcp:serviceaccount/account:Account").accountId, "qdrant-snapshots-staging-euw");
    });
});
