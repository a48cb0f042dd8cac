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
}

/** The suites of test/policies/rules.test.ts (one per rule, named as the rule) of the given rule files. */
function ruleSuites(files: string[]): string {
    const names = files.map((f) => f.replace(/^policies\/rules\//, "").replace(/\.ts$/, "").split("/").join("-"));
    return `^(${names.join("|")})$`;
}

/** The rules mutated so far (the others are pending). */
const MUTATED_RULES = ["policies/rules/aws/route53/health-check-configure-rto.ts"];

export const AREAS: MutationArea[] = [
    {
        name: "policy-rules",
        covers: "the policy pack's rules (so far the RTO rule; the others are pending)",
        mutate: MUTATED_RULES,
        // meta.test.ts: the rule's name, severity, description and fix (its per-rule suites match the same pattern).
        testFiles: ["test/policies/rules.test.ts", "test/policies/meta.test.ts"],
        testNamePattern: ruleSuites(MUTATED_RULES),
        pending: [
            "policies/rules/kubernetes/policy/pdb-disallow-zero-disruption.ts",
            "policies/rules/kubernetes/apps/workload-missing-zone-spread.ts",
            "policies/rules/stack/backup/bucket-missing-cross-cloud-copy.ts",
            "policies/rules/**/*.ts (the other rules)",
            "policies/lib/*.ts",
        ],
    },
    {
        name: "infra-components",
        covers: "the program's components (so far the backup schedules derived from the RPO, DNS failover and the shared labels; the others are pending)",
        mutate: ["infra/config/derive.ts", "infra/dns/failover.ts", "infra/k8s/labels.ts", "infra/service/workload.ts", "infra/qdrant/cluster.ts"],
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
        ],
        pending: [
            "infra/backup/s3Bucket.ts (with test/infra/snapshot-bucket.exact.test.ts)",
            "infra/backup/snapshotJob.ts (with test/infra/snapshot-job.exact.test.ts)",
            "infra/backup/transfer.ts, infra/backup/crossCloudBackup.ts (with test/infra/backup.exact.test.ts)",
        ],
    },
    {
        name: "cli-exit-codes",
        covers: "the exit codes and error lines of npm run check",
        mutate: ["policies/check/cli.ts"],
        testFiles: ["test/policies/cli-exit.exact.test.ts"],
    },
    {
        name: "resilience",
        covers: "the service's breakers, retries, timeouts and the answer path's fallbacks",
        mutate: ["app/src/resilience/**/*.ts", "app/src/answer/**/*.ts"],
        testFiles: ["test/app/units.test.ts", "test/app/llm-fallback.test.ts", "test/app/overload.test.ts"],
        // Not baselined yet (no threshold): the service's resilience code is being reworked.
    },
];
