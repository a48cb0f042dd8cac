import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { validateCrossCloudTransferArgs } from "../../infra/backup";
import { backup } from "./componentArgs";
import { declare, envOf, type Resources } from "./harness";

function trustOf(r: Resources, name: string) {
    return JSON.parse(r.one("aws:iam/role:Role", name).assumeRolePolicy);
}

describe("CrossCloudBackup", () => {
    test("the S3 bucket is versioned, KMS-encrypted, private, TLS-only and expires old snapshots", async () => {
        const r = await declare(backup());
        const bucketId = r.ofType("aws:s3/bucket:Bucket")[0]!.id;
        assert.deepEqual(r.one("aws:s3/bucketVersioning:BucketVersioning").versioningConfiguration, { status: "Enabled" });
        assert.equal(r.one("aws:s3/bucketVersioning:BucketVersioning").bucket, bucketId);
        const sse = r.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").rules[0];
        assert.equal(sse.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
        const pab = r.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
        assert.ok(pab.blockPublicAcls && pab.blockPublicPolicy && pab.ignorePublicAcls && pab.restrictPublicBuckets);
        const rule = r.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules[0];
        assert.deepEqual([rule.expiration.days, rule.noncurrentVersionExpiration.noncurrentDays], [35, 30]);
        const policy = JSON.parse(r.one("aws:s3/bucketPolicy:BucketPolicy").policy);
        assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
    });

    test("the GCS copy lives in the DR region, versioned, with public access prevented", async () => {
        const r = await declare(backup());
        const gcs = r.one("gcp:storage/bucket:Bucket");
        assert.equal(gcs.location, "EUROPE-WEST1");
        assert.deepEqual(gcs.versioning, { enabled: true });
        assert.equal(gcs.publicAccessPrevention, "enforced");
        assert.equal(gcs.uniformBucketLevelAccess, true);
    });

    test("both buckets carry the holds-backups marker the policy pack judges backup buckets by, beside the stack's tags", async () => {
        const r = await declare(backup({ tags: { team: "rag" } }));
        assert.deepEqual(r.one("aws:s3/bucket:Bucket").tags, { team: "rag", "holds-backups": "true" });
        assert.deepEqual(r.one("gcp:storage/bucket:Bucket").labels, { "holds-backups": "true" });
    });

    test("schedule mode: Storage Transfer copies S3 to GCS every repeat interval, never deleting in the sink", async () => {
        const r = await declare(backup());
        const job = r.one("gcp:storage/transferJob:TransferJob");
        assert.equal(job.schedule.repeatInterval, "3600s");
        assert.equal(job.eventStream, undefined);
        assert.equal(job.transferSpec.awsS3DataSource.bucketName, r.ofType("aws:s3/bucket:Bucket")[0]!.outputs.bucket);
        assert.equal(job.transferSpec.gcsDataSink.bucketName, r.ofType("gcp:storage/bucket:Bucket")[0]!.outputs.name);
        assert.equal(job.transferSpec.transferOptions.deleteObjectsUniqueInSink, false);
        assert.equal(r.ofType("aws:sqs/queue:Queue").length, 0);
    });

    test("schedule mode starts on the day of the deploy, so the first copy runs at once, and later runs keep that date", async () => {
        const r = await declare(backup());
        const job = r.one("gcp:storage/transferJob:TransferJob");
        assert.deepEqual(job.schedule, { scheduleStartDate: { year: 2026, month: 11, day: 30 }, repeatInterval: "3600s" });
    });

    test("refuses a scheduled transfer that repeats more often than hourly, which Storage Transfer rejects", () => {
        assert.throws(() => validateCrossCloudTransferArgs("t", { mode: "schedule", repeatInterval: "1800s" }), { message: "CrossCloudTransfer t: Storage Transfer rejects a repeatInterval below 3600s, got 1800s" });
        assert.doesNotThrow(() => validateCrossCloudTransferArgs("t", { mode: "schedule", repeatInterval: "3600s", startDate: { year: 2026, month: 11, day: 30 } }));
        assert.throws(() => validateCrossCloudTransferArgs("t", { mode: "schedule", repeatInterval: "3600s" }), { message: "CrossCloudTransfer t: a schedule needs its startDate" });
        assert.doesNotThrow(() => validateCrossCloudTransferArgs("t", { mode: "event", repeatInterval: "1800s" }), "event mode has no repeat interval");
    });

    test("event mode: S3 notifies an SQS queue that the transfer job consumes", async () => {
        const r = await declare(backup({ transferMode: "event" }));
        const job = r.one("gcp:storage/transferJob:TransferJob");
        const queue = r.ofType("aws:sqs/queue:Queue")[0]!;
        assert.equal(job.eventStream.name, queue.outputs.arn);
        assert.equal(job.schedule, undefined);
        assert.deepEqual(r.one("aws:s3/bucketNotification:BucketNotification").queues, [{ queueArn: queue.outputs.arn, events: ["s3:ObjectCreated:*"] }]);
        const read = JSON.parse(r.one("aws:iam/rolePolicy:RolePolicy", "backup-transfer-sts-read").policy);
        assert.ok(read.Statement.some((s: { Action: string[] }) => s.Action.includes("sqs:ReceiveMessage")));
    });

    test("the transfer role trusts only the project's Storage Transfer identity, with no keys", async () => {
        const r = await declare(backup());
        const trust = trustOf(r, "backup-transfer-sts-role").Statement[0];
        assert.equal(trust.Principal.Federated, "accounts.google.com");
        assert.equal(trust.Action, "sts:AssumeRoleWithWebIdentity");
        assert.deepEqual(trust.Condition.StringEquals, { "accounts.google.com:sub": "109876543210987654321" });
        const job = r.one("gcp:storage/transferJob:TransferJob");
        assert.equal(job.transferSpec.awsS3DataSource.roleArn, r.ofType("aws:iam/role:Role").find((x) => x.name === "backup-transfer-sts-role")!.outputs.arn);
        assert.equal(job.transferSpec.awsS3DataSource.awsAccessKey, undefined);
    });

    test("AWS active: the snapshot CronJob runs on EKS with an IRSA role bound to its service account", async () => {
        const r = await declare(backup());
        const cron = r.ofType("kubernetes:batch/v1:CronJob");
        assert.equal(cron.length, 1);
        assert.match(cron[0]!.provider!, /eks-k8s/);
        const spec = (cron[0]!.inputs as { spec: Record<string, any> }).spec; // eslint-disable-line @typescript-eslint/no-explicit-any -- k8s payload
        assert.equal(spec.schedule, "*/30 * * * *");
        assert.equal(spec.concurrencyPolicy, "Forbid");
        const env = envOf(spec.jobTemplate.spec.template.spec.containers[0]);
        assert.equal(env.TARGET, "s3");
        assert.equal(env.PEERS, "3");
        const apiKey = spec.jobTemplate.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === "QDRANT_API_KEY");
        assert.deepEqual(apiKey.valueFrom, { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } });
        const trust = trustOf(r, "backup-job-aws").Statement[0];
        assert.deepEqual(trust.Condition.StringEquals, {
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": "system:serviceaccount:langchain-ha:qdrant-snapshots",
            "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
        });
        const sa = r.one("kubernetes:core/v1:ServiceAccount");
        assert.equal(sa.metadata.annotations["eks.amazonaws.com/role-arn"], r.ofType("aws:iam/role:Role").find((x) => x.name === "backup-job-aws")!.outputs.arn);
    });

    test("both job roles may decrypt with the bucket key, which multipart uploads under SSE-KMS need", async () => {
        const r = await declare(backup());
        const keyArn = r.ofType("aws:kms/key:Key")[0]!.outputs.arn;
        for (const name of ["backup-job-aws", "backup-job-gcp-to-aws"]) {
            const policy = JSON.parse(r.one("aws:iam/rolePolicy:RolePolicy", name).policy);
            assert.deepEqual(policy.Statement[1], { Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Encrypt", "kms:Decrypt"], Resource: keyArn }, name);
        }
    });

    test("the job streams snapshots and asks for a small, bounded scratch disk", async () => {
        const r = await declare(backup());
        const pod = (r.one("kubernetes:batch/v1:CronJob").spec as Record<string, any>).jobTemplate.spec.template.spec; // eslint-disable-line @typescript-eslint/no-explicit-any -- k8s payload
        assert.deepEqual(pod.containers[0].resources, {
            requests: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "64Mi" },
            limits: { memory: "512Mi", "ephemeral-storage": "128Mi" },
        });
        assert.deepEqual(pod.volumes.find((v: { name: string }) => v.name === "tmp"), { name: "tmp", emptyDir: { sizeLimit: "64Mi" } });
    });

    test("GCP active: the CronJob moves to GKE and still copies out of GCP through a federated AWS role", async () => {
        const r = await declare(backup({ activeSide: "gcp" }));
        const cron = r.ofType("kubernetes:batch/v1:CronJob");
        assert.equal(cron.length, 1);
        assert.match(cron[0]!.provider!, /gke-k8s/);
        const env = envOf((cron[0]!.inputs as any).spec.jobTemplate.spec.template.spec.containers[0]); // eslint-disable-line @typescript-eslint/no-explicit-any -- k8s payload
        assert.equal(env.TARGET, "gcs");
        assert.equal(env.AWS_ROLE_ARN, r.ofType("aws:iam/role:Role").find((x) => x.name === "backup-job-gcp-to-aws")!.outputs.arn);
        const trust = trustOf(r, "backup-job-gcp-to-aws").Statement[0];
        const account = r.ofType("gcp:serviceaccount/account:Account")[0]!;
        assert.deepEqual(trust.Condition.StringEquals, { "accounts.google.com:sub": account.outputs.uniqueId, "accounts.google.com:oaud": "langchain-ha-prod-snapshots" });
        const wi = r.one("gcp:serviceaccount/iAMMember:IAMMember");
        assert.equal(wi.member, "serviceAccount:acme-rag-dr.svc.id.goog[langchain-ha/qdrant-snapshots]");
    });
});
