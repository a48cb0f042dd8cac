import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { SnapshotBucket, type SnapshotBucketArgs } from "../../infra/backup/s3Bucket";
import { declare, type Resources } from "./harness";

/**
 * Every value SnapshotBucket declares, written out by hand: versioning, encryption, public
 * access, ownership, TLS-only access and how long snapshots and replaced versions are kept.
 * Names and ARNs the cloud would assign come from the plan's mocks (read back from the
 * recorded resources). Loads only the AWS SDK (it runs per mutant).
 */

const TAGS = { project: "langchain-ha", stack: "prod" };

/** The bucket declared with the options each child got, by resource type. */
async function bucket(args: SnapshotBucketArgs): Promise<{ r: Resources; protect: Record<string, boolean | undefined> }> {
    const protect: Record<string, boolean | undefined> = {};
    const r = await declare(() => new SnapshotBucket("snapshots", args, {
        transformations: [(t: pulumi.ResourceTransformationArgs) => {
            protect[t.type] = t.opts.protect;
            return undefined;
        }],
    }));
    return { r, protect };
}

let declared: Promise<{ r: Resources; protect: Record<string, boolean | undefined> }> | undefined;
const prod = () => (declared ??= bucket({ retentionDays: 35, noncurrentVersionDays: 30, tags: TAGS }));

function mock(r: Resources, type: string): Record<string, string> {
    const found = r.ofType(type);
    assert.equal(found.length, 1, type);
    return found[0]!.outputs as Record<string, string>;
}

describe("SnapshotBucket (exact)", () => {
    test("a rotated key of its own, kept 30 days after deletion; the bucket never force-destroyed nor protected from a planned replacement", async () => {
        const { r, protect } = await prod();
        assert.deepEqual(r.one("aws:kms/key:Key"), { description: "Encryption of snapshots's Qdrant snapshots", enableKeyRotation: true, deletionWindowInDays: 30, tags: TAGS });
        // The marker the policy pack knows a backup bucket by.
        assert.deepEqual(r.one("aws:s3/bucket:Bucket"), { forceDestroy: false, tags: { ...TAGS, "holds-backups": "true" } });
        assert.equal(protect["aws:s3/bucket:Bucket"], false);
    });

    test("versioned, KMS-encrypted with the bucket key, owner-enforced, never public", async () => {
        const { r } = await prod();
        const name = mock(r, "aws:s3/bucket:Bucket").bucket;
        const keyArn = mock(r, "aws:kms/key:Key").arn;
        assert.deepEqual(r.one("aws:s3/bucketVersioning:BucketVersioning"), { bucket: name, versioningConfiguration: { status: "Enabled" } });
        assert.deepEqual(r.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"), {
            bucket: name,
            rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }],
        });
        assert.deepEqual(r.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"), { bucket: name, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        assert.deepEqual(r.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls"), { bucket: name, rule: { objectOwnership: "BucketOwnerEnforced" } });
    });

    test("denies every request not over TLS, on the bucket and its objects, once public access is blocked", async () => {
        const { r } = await prod();
        const { bucket: name, arn } = mock(r, "aws:s3/bucket:Bucket");
        const policy = r.ofType("aws:s3/bucketPolicy:BucketPolicy")[0]!;
        assert.equal(policy.inputs.bucket, name);
        assert.deepEqual(JSON.parse(policy.inputs.policy as string), {
            Version: "2012-10-17",
            Statement: [{
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            }],
        });
        assert.ok(policy.dependencies.includes(r.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0]!.urn));
    });

    test("snapshots expire after 35 days, replaced versions after 30, abandoned uploads after 2, once versioning is on", async () => {
        const { r } = await prod();
        const lifecycle = r.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0]!;
        assert.deepEqual(lifecycle.inputs, {
            bucket: mock(r, "aws:s3/bucket:Bucket").bucket,
            rules: [{
                id: "expire-snapshots",
                status: "Enabled",
                filter: {},
                expiration: { days: 35 },
                noncurrentVersionExpiration: { noncurrentDays: 30 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 2 },
            }],
        });
        assert.ok(lifecycle.dependencies.includes(r.ofType("aws:s3/bucketVersioning:BucketVersioning")[0]!.urn));
    });

    test("its outputs and children", async () => {
        const { r } = await prod();
        const component = r.ofType("langchain-ha:backup:SnapshotBucket");
        assert.equal(component.length, 1);
        const children = r.all.filter((x) => x.custom);
        assert.equal(children.length, 8);
        for (const c of children) assert.equal(c.parent, component[0]!.urn, `${c.type} under the component`);
        const s3 = mock(r, "aws:s3/bucket:Bucket");
        assert.deepEqual(component[0]!.outputs, { bucketName: s3.bucket, bucketArn: s3.arn, kmsKeyArn: mock(r, "aws:kms/key:Key").arn });
    });

    test("another content is named in the key; no tags, only the backup marker", async () => {
        const { r } = await bucket({ retentionDays: 7, noncurrentVersionDays: 3, contents: "document exports" });
        assert.deepEqual(r.one("aws:kms/key:Key").description, "Encryption of snapshots's document exports");
        assert.deepEqual(r.one("aws:kms/key:Key").tags, {});
        assert.deepEqual(r.one("aws:s3/bucket:Bucket").tags, { "holds-backups": "true" });
        const rule = r.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").rules[0];
        assert.deepEqual([rule.expiration, rule.noncurrentVersionExpiration], [{ days: 7 }, { noncurrentDays: 3 }]);
    });
});
