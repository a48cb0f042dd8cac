/**
 * The areas `npm run mutation` tests: where a silent change hurts most, each with the test
 * files that guard it. Stryker maps every mutant to the test files whose run executes it and
 * runs only those (a test file is one "test" to the tap runner), so each area's list is kept
 * to the files that judge its code: a file that merely imports it would only add run time.
 */
export interface MutationArea {
    name: string;
    /** What the area covers, for the report. */
    covers: string;
    /** Files Stryker mutates (globs from the repository root; `!` excludes). */
    mutate: string[];
    /** Test files run against each mutant. */
    testFiles: string[];
    /**
     * Only the tests (or suites) whose name matches run (node's --test-name-pattern): the tap
     * runner reruns a whole file per mutant, so a file that tests every rule would otherwise
     * run all their cases for a mutant in one of them.
     */
    testNamePattern?: string;
    /**
     * Files of the area not mutated yet: their first (full) run takes longer than one sitting on
     * two shared cores. Move them into `mutate` one at a time, then `--rebaseline`.
     */
    pending?: string[];
    /**
     * Milliseconds a mutant's run may take beyond the dry run's time before it counts as a timeout
     * (Stryker's timeoutMS; 20 s unless given). A timeout counts as detected, so an area whose
     * test process is slow on loaded cores needs room, or load alone "kills" mutants.
     */
    timeoutMS?: number;
}

/** The suites of test/policies/rules.test.ts (one per rule, named as the rule) of the given rule files. */
function ruleSuites(files: string[]): string {
    const names = files.map((f) => f.replace(/^policies\/rules\//, "").replace(/\.ts$/, "").split("/").join("-"));
    return `^(${names.join("|")})$`;
}

/** The rule files of the given folders under policies/rules (each folder's .ts files, listed so the suites can be named). */
function rulesIn(folder: string, files: string[]): string[] {
    return files.map((f) => `policies/rules/${folder}/${f}.ts`);
}

/** The rules mutated so far (the others are pending). */
const MUTATED_RULES = [
    "policies/rules/aws/route53/health-check-configure-rto.ts",
    ...rulesIn("aws/autoscaling", ["group-configure-az-spread", "group-configure-health-check-type"]),
    ...rulesIn("aws/docdb", ["cluster-configure-multi-az-instances"]),
    ...rulesIn("aws/dynamodb", ["table-enable-point-in-time-recovery"]),
    ...rulesIn("aws/ec2", ["instance-disallow-sole-target"]),
    ...rulesIn("aws/efs", ["file-system-disallow-one-zone"]),
    ...rulesIn("aws/neptune", ["cluster-configure-multi-az-instances"]),
    ...rulesIn("gcp/alloydb", ["instance-configure-regional"]),
    ...rulesIn("gcp/filestore", ["instance-configure-regional-tier"]),
    ...rulesIn("gcp/memorystore", ["cluster-configure-replicas"]),
    ...rulesIn("gcp/redis", ["instance-configure-standard-ha"]),
    ...rulesIn("aws/eks", ["cluster-disallow-open-endpoint"]),
    ...rulesIn("stack/dr", ["region-missing-other-cloud"]),
];

export const AREAS: MutationArea[] = [
    {
        name: "policy-rules",
        covers: "the policy pack's rules (so far 14: the RTO rule, the autoscaling, DocumentDB, DynamoDB, EFS, Neptune, sole-target and EKS open-endpoint AWS rules, the AlloyDB, Filestore, Memorystore and Redis rules, the other-cloud DR rule; the others are pending)",
        mutate: MUTATED_RULES,
        // meta.test.ts: the rule's name, severity, description and fix (its per-rule suites match the same pattern).
        testFiles: ["test/policies/rules.test.ts", "test/policies/meta.test.ts"],
        testNamePattern: ruleSuites(MUTATED_RULES),
        // One test process loads the whole pack (~3 s of CPU): 15-25 s wall on two busy cores.
        timeoutMS: 60_000,
        pending: [
            // Next (fixture cases that kill most of their mutants are already in place for the eks, elasticache, opensearch and rds ones).
            "policies/rules/aws/eks/{addon-missing-service-account-role,node-group-*}.ts",
            "policies/rules/aws/elasticache/*.ts",
            "policies/rules/aws/opensearch/*.ts",
            "policies/rules/aws/rds/*.ts",
            "policies/rules/aws/msk/*.ts",
            "policies/rules/aws/ec2/nat-gateway-disallow-shared-across-azs.ts",
            "policies/rules/aws/cloudformation/*.ts",
            "policies/rules/gcp/sql/*.ts (add test/policies/remediate.exact.test.ts to testFiles with it)",
            "policies/rules/gcp/compute/*.ts",
            "policies/rules/stack/wrapper/*.ts",
            "policies/rules/stack/observability/*.ts",
            "policies/rules/kubernetes/qdrant/*.ts",
            "policies/rules/kubernetes/replication/*.ts",
            "policies/rules/kubernetes/helm/*.ts",
            "policies/rules/kubernetes/core/container-*.ts",
            "policies/rules/kubernetes/core/service-missing-workload.ts",
            "policies/rules/kubernetes/core/service-configure-standby-await.ts",
            // Being reworked with their fixtures: after that work lands.
            "policies/rules/aws/route53/record-*.ts",
            "policies/rules/aws/{lb,elb,s3,sns}/*.ts",
            "policies/rules/gcp/{storage,container}/*.ts",
            "policies/rules/kubernetes/{apps,autoscaling,policy}/*.ts",
            "policies/rules/kubernetes/core/service-configure-tls-policy.ts",
            "policies/rules/stack/{backup,endpoint}/*.ts",
            "policies/rules/stack/dr/failover-missing-alert.ts",
            "policies/lib/*.ts",
        ],
    },
    {
        name: "infra-components",
        covers: "the program's components (so far the backup schedules derived from the RPO, DNS failover, the shared labels, the service workload, the Qdrant cluster, the snapshot bucket and job, the transfer and the cross-cloud backup)",
        mutate: ["infra/config/derive.ts", "infra/dns/failover.ts", "infra/k8s/labels.ts", "infra/service/workload.ts", "infra/qdrant/cluster.ts", "infra/backup/s3Bucket.ts", "infra/backup/snapshotJob.ts", "infra/backup/transfer.ts", "infra/backup/crossCloudBackup.ts"],
        // One narrow exact file per component, loading only the SDKs it needs: each mutant runs
        // only the files that execute it, so a broad file here would multiply the run time.
        testFiles: [
            "test/infra/derive.exact.test.ts",
            "test/infra/config.test.ts",
            "test/infra/labels.exact.test.ts",
            "test/infra/dns.exact.test.ts",
            "test/infra/dns-provider.exact.test.ts",
            "test/infra/service.exact.test.ts",
            "test/infra/qdrant.exact.test.ts",
            "test/infra/snapshot-bucket.exact.test.ts",
            "test/infra/snapshot-job.exact.test.ts",
            "test/infra/backup.exact.test.ts",
        ],
    },
    {
        name: "cli-exit-codes",
        covers: "the exit codes and error lines of npm run check",
        mutate: ["policies/check/cli.ts"],
        // In process, fastest first: the options without the pack, then the exit codes, then runs
        // that start the pack (a mutant stops at the first file that fails). The lines that run
        // only when cli.ts is the process's main module are reached by no test process.
        testFiles: ["test/policies/cli-options.exact.test.ts", "test/policies/cli-exit.exact.test.ts", "test/policies/cli-run.exact.test.ts"],
    },
    {
        name: "resilience",
        covers: "the service's breakers, retries, timeouts and the answer path's fallbacks",
        mutate: ["app/src/resilience/**/*.ts", "app/src/answer/**/*.ts"],
        // Narrow exact files that build each piece with stand-ins, no service started: a mutant
        // reruns every listed file that executes it (llm-fallback and overload start the whole
        // service per file and stay out of the area).
        testFiles: [
            "test/app/classify.exact.test.ts",
            "test/app/admission.exact.test.ts",
            "test/app/deadline.exact.test.ts",
            "test/app/answer.exact.test.ts",
            "test/app/policy.exact.test.ts",
            "test/app/resilience.test.ts",
            "test/app/units.test.ts",
        ],
    },
];

/**
 * A bash script mutated by our own shell mutator (shell.ts; Stryker cannot mutate bash): every
 * mutant runs every listed test file, in order, until one fails (list the cheapest first).
 */
export interface ShellMutationArea {
    name: string;
    covers: string;
    /** The script mutated (from the repository root). */
    script: string;
    /** Test files run against each mutant; they must read the script from its place in the repository. */
    testFiles: string[];
    /** Milliseconds a mutant's run may take beyond 1.5 times the unchanged script's before it counts as a timeout (20 s unless given). */
    timeoutMS?: number;
}

export const SHELL_AREAS: ShellMutationArea[] = [
    {
        name: "snapshot-script",
        covers: "the Qdrant snapshot job's script (infra/backup/snapshot.sh), run with bash against loopback stand-ins",
        script: "infra/backup/snapshot.sh",
        testFiles: ["test/infra/snapshot-script.exact.test.ts", "test/infra/snapshot-script.test.ts"],
    },
];
