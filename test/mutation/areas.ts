/**
 * The areas `npm run mutation` tests: where a silent change hurts most, each with the test
 * files that guard it. Stryker maps every mutant to the test files whose run executes it and
 * runs only those (a test file is one "test" to the tap runner), so each area's list is kept
 * to the files that judge its code: a file that merely imports it would only add run time.
 */
export interface MutationArea {
    name: string;
    /**
     * How each mutant's tests run. "tap" (the default): `node --import tsx --test` starts afresh
     * for every mutant and runs each covering test file whole. "mocha": one long-lived mocha
     * process per core loads the test files once and switches mutants in place, running only the
     * covering tests (one `it` each): the files must take describe/it from mocha's globals when
     * present (test/policies/bdd.ts). Mutants that run only while a module loads are left out
     * either way (ignoreStatic); under mocha that includes the object literals built at load.
     */
    runner?: "tap" | "mocha";
    /** What the area covers, for the report. */
    covers: string;
    /** Files Stryker mutates (globs from the repository root; `!` excludes). */
    mutate: string[];
    /** Test files run against each mutant. */
    testFiles: string[];
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

export const AREAS: MutationArea[] = [
    {
        name: "policy-rules",
        covers: "the policy pack's rules (every rule file under policies/rules)",
        // index.ts (the registry's list) and anchors.ts (other tools' matching checks) are data
        // built while the pack loads: static mutants only, which no run scores; the meta and
        // anchor tests check them.
        mutate: ["policies/rules/**/*.ts", "!policies/rules/index.ts", "!policies/rules/anchors.ts"],
        // rules.test.ts: every rule's fixture cases; meta.test.ts: names, descriptions, severities;
        // remediate.exact.test.ts: the remediations' exact output.
        testFiles: ["test/policies/rules.test.ts", "test/policies/meta.test.ts", "test/policies/remediate.exact.test.ts"],
        // A mutant costs a few ms in the warm mocha process, against ~4 s of CPU for a fresh `node --test` (README).
        runner: "mocha",
        pending: ["policies/lib/*.ts"],
    },
    {
        name: "infra-components",
        covers: "the program's components (the backup schedules derived from the RPO, DNS failover, the shared labels, the service workload, the Qdrant cluster, the snapshot bucket and job, the transfer and the cross-cloud backup)",
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
