import { S3_BUCKETS } from "./aws";
import { containerEnv, containers, REPLICATED_WORKLOADS } from "./kubernetes";
import { REPLICATION_ENV } from "./replication";
import type { StackView, Subject } from "./rule";
import { indexBy, perStack } from "./stack";
import { asArray, asRecord, get, known, tryGet, UNKNOWN } from "./values";

export const GCS_BUCKET = "gcp:storage/bucket:Bucket";
export const TRANSFER_JOB = "gcp:storage/transferJob:TransferJob";
export const CRON_JOB = "kubernetes:batch/v1:CronJob";
export const BUCKET_TYPES = [...S3_BUCKETS, GCS_BUCKET];

/**
 * The tag (S3) or label (GCS) a program sets on the buckets that hold its backups. A GCS label
 * key allows only lowercase letters, digits, `_` and `-`, so the one key serves both clouds.
 */
export const HOLDS_BACKUPS = { key: "holds-backups", value: "true" } as const;

/** Where a transfer job names its buckets. */
const TRANSFER_BUCKETS = ["awsS3DataSource.bucketName", "gcsDataSource.bucketName", "gcsDataSink.bucketName"];

/** Which buckets of a stack hold backups, and why. */
export interface BackupBuckets {
    /** Bucket URN to the evidence, e.g. `read by transfer job "copy"`. */
    evidence: Map<string, string>;
    /**
     * Writers or copiers whose bucket cannot be told during preview (an unknown name that no
     * property dependency accounts for): a bucket without other evidence may be theirs.
     */
    unresolved: string[];
    /** Buckets whose tags or labels are unknown in preview. */
    unknownTags: Set<string>;
}

/** `s3://bucket/prefix` or `gs://bucket/prefix` (or a bare name) to the bucket's name. */
function bucketName(value: string): string {
    return value.replace(/^(s3|gs):\/\//, "").split("/")[0] ?? "";
}

function tagged(b: Subject): boolean | typeof UNKNOWN {
    const keys = b.type === GCS_BUCKET ? ["labels", "effectiveLabels"] : ["tags", "tagsAll"];
    let unknown = false;
    for (const key of keys) {
        const v = tryGet(b.props, `${key}.${HOLDS_BACKUPS.key}`);
        if (v === UNKNOWN) unknown = true;
        else if (typeof v === "string" && v.toLowerCase() === HOLDS_BACKUPS.value) return true;
    }
    return unknown ? UNKNOWN : false;
}

/**
 * The buckets that hold backups, from real evidence only: the tag or label the program sets on
 * them, a Storage Transfer job that copies from or into them, a CronJob that writes into them
 * (its job spec depends on the bucket, or an env value names it), or a workload whose
 * replication journal (JOURNAL_URL, PEER_JOURNAL_URLS) lives in them. A bucket with none of
 * these (logs, a static site) is not a backup bucket. Found once per stack, for every rule that asks.
 */
export const backupBuckets: (stack: StackView) => BackupBuckets = perStack(findBackupBuckets);

function findBackupBuckets(stack: StackView): BackupBuckets {
    const buckets = stack.ofType(...BUCKET_TYPES);
    const out: BackupBuckets = { evidence: new Map(), unresolved: [], unknownTags: new Set() };
    if (buckets.length === 0) return out;
    const byName = indexBy(buckets, "id", "bucket", "name");
    const mark = (b: Subject | undefined, why: string) => {
        if (b !== undefined && !out.evidence.has(b.urn)) out.evidence.set(b.urn, why);
    };
    const dependedOn = (s: Subject, prop: string) => (s.propertyDependencies[prop] ?? []).map((u) => stack.byUrn(u)).filter((b): b is Subject => b !== undefined && BUCKET_TYPES.includes(b.type));

    for (const b of buckets) {
        const t = tagged(b);
        if (t === true) mark(b, `${b.type === GCS_BUCKET ? "labelled" : "tagged"} ${HOLDS_BACKUPS.key}: ${HOLDS_BACKUPS.value}`);
        else if (t === UNKNOWN) out.unknownTags.add(b.urn);
    }
    for (const job of stack.ofType(TRANSFER_JOB)) {
        const why = `copied by transfer job "${job.name}"`;
        const names = TRANSFER_BUCKETS.map((p) => tryGet(job.props, `transferSpec.${p}`));
        names.forEach((n) => mark(typeof n === "string" ? byName.get(n) : undefined, why));
        // Unknown names (preview) come from the buckets the spec depends on.
        const deps = dependedOn(job, "transferSpec");
        deps.forEach((b) => mark(b, why));
        const unknown = tryGet(job.props, "transferSpec") === UNKNOWN || names.some((n) => n === UNKNOWN);
        if (unknown && deps.length === 0) out.unresolved.push(`transfer job "${job.name}"`);
    }
    for (const job of stack.ofType(CRON_JOB)) {
        const why = `written by CronJob "${job.name}"`;
        const envs = known(() => asArray(get(job.props, "spec.jobTemplate.spec.template.spec.containers")).map((c) => containerEnv(asRecord(c))));
        for (const v of envs === UNKNOWN ? [] : envs.flatMap((env) => [...env.values()])) if (typeof v === "string") mark(byName.get(bucketName(v)), why);
        // A bucket name unknown in preview comes from the bucket the job spec depends on.
        dependedOn(job, "spec").forEach((b) => mark(b, why));
    }
    for (const w of stack.ofType(...REPLICATED_WORKLOADS)) {
        const why = `holding the replication journal of "${w.name}"`;
        const envs = known(() => containers(w.props).map(containerEnv));
        const journals = (envs === UNKNOWN ? [] : envs).filter((env) => env.has(REPLICATION_ENV.journalUrl) || env.has(REPLICATION_ENV.peerJournalUrls));
        for (const env of journals) {
            const urls = [env.get(REPLICATION_ENV.journalUrl), env.get(REPLICATION_ENV.peerJournalUrls)].flatMap((v) => (typeof v === "string" ? v.split(",") : []));
            for (const url of urls) mark(byName.get(bucketName(url.trim())), why);
        }
        if (journals.length > 0) dependedOn(w, "spec").forEach((b) => mark(b, why));
    }
    return out;
}

/**
 * Whether a bucket holds backups: its evidence, UNKNOWN when it has none yet something in the
 * stack could not be resolved in preview (it may be that writer's bucket), or undefined.
 */
export function holdsBackups(found: BackupBuckets, bucket: Subject): string | typeof UNKNOWN | undefined {
    const why = found.evidence.get(bucket.urn);
    if (why !== undefined) return why;
    return found.unresolved.length > 0 || found.unknownTags.has(bucket.urn) ? UNKNOWN : undefined;
}

/** Why a bucket's backup role cannot be told, for an undecided finding. */
export function undecidedBackupReason(found: BackupBuckets, bucket: Subject): string {
    if (found.unknownTags.has(bucket.urn)) return `whether it holds backups cannot be told: its ${bucket.type === GCS_BUCKET ? "labels are" : "tags are"} unknown in preview`;
    return `whether it holds backups cannot be told: the bucket of ${found.unresolved.join(", ")} is unknown in preview`;
}
