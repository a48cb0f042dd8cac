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
}

export const AREAS: MutationArea[] = [
    {
        name: "policy-rules",
        covers: "every rule of the policy pack",
        mutate: ["policies/rules/**/*.ts", "!policies/rules/index.ts"],
        testFiles: ["test/policies/rules.test.ts"],
    },
    {
        name: "infra-components",
        covers: "DNS failover, the service, Qdrant, backups and the schedules derived from the RPO",
        mutate: ["infra/dns/failover.ts", "infra/service/workload.ts", "infra/qdrant/cluster.ts", "infra/backup/*.ts", "infra/k8s/labels.ts", "infra/config/derive.ts"],
        testFiles: [
            "test/infra/components.exact.test.ts",
            "test/infra/derive.exact.test.ts",
            "test/infra/dns.test.ts",
            "test/infra/service.test.ts",
            "test/infra/qdrant.test.ts",
            "test/infra/backup.test.ts",
            "test/infra/config.test.ts",
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
    },
];
