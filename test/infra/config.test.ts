import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { backupSchedule, ConfigError, cronEvery, readProgramConfig, recoveryTimes, requiredSecrets, resolveConfig, utcDate } from "../../infra/config";
import { observabilitySpec } from "../../infra/observability";
import { subnetCidr } from "../../infra/aws";

const minimal = {
    environment: "prod",
    aws: { eks: { adminPrincipalArns: ["arn:aws:iam::123456789012:role/ci-deploy"] } },
    gcp: { project: "acme-rag-dr" },
    dns: { hostedZoneId: "Z0123456789ABC", zoneName: "example.com", domain: "rag.example.com" },
};

function problemsOf(raw: Record<string, unknown>): string {
    try {
        resolveConfig("prod", raw);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
        return err.message;
    }
    assert.fail("config was accepted");
}

describe("stack config", () => {
    test("a minimal stack gets HA-safe defaults", () => {
        const c = resolveConfig("prod", minimal);
        assert.deepEqual(c.aws.availabilityZones, ["us-east-1a", "us-east-1b", "us-east-1c"]);
        assert.deepEqual(c.gcp.zones, ["europe-west1-b", "europe-west1-c", "europe-west1-d"]);
        assert.equal(c.qdrant.replicas, 3);
        assert.equal(c.qdrant.replicationFactor, 2);
        assert.equal(c.qdrant.writeConsistencyFactor, 1);
        assert.equal(c.app.replicas, 3);
        assert.equal(c.dr.mode, "warm");
        assert.equal(c.dr.activeSide, "aws");
        assert.equal(c.dns.healthCheck.intervalSeconds, 10);
        assert.ok(c.dns.healthCheck.regions.length >= 3);
        assert.equal(c.aws.eks.nodesPerZone.min, 1);
        assert.deepEqual(c.aws.eks.publicAccessCidrs, [], "EKS API private unless CIDRs are listed");
        assert.deepEqual(c.gcp.gke.masterAuthorizedCidrs, [], "GKE control plane private unless CIDRs are listed");
    });

    test("EKS defaults to a version in standard support and does not bill extended support", () => {
        const c = resolveConfig("prod", minimal);
        assert.equal(c.aws.eks.version, "1.35");
        assert.equal(c.aws.eks.supportType, "STANDARD");
    });

    const cases: [string, Record<string, unknown>, string][] = [
        ["an unknown embedding provider", { ...minimal, app: { embeddings: { provider: "cohere" } } }, "langchain-ha:app.embeddings.provider must be one of \"openai\", \"google\", \"none\", got the text \"cohere\""],
        ["an embedding width the model cannot make", { ...minimal, app: { embeddings: { provider: "openai", dimensions: 4096 } } }, "langchain-ha:app.embeddings.dimensions text-embedding-3-small makes vectors of 1 to 1536 dimensions"],
        ["another provider's embedding model", { ...minimal, app: { embeddings: { provider: "google", model: "text-embedding-3-large" } } }, "langchain-ha:app.embeddings.model text-embedding-3-large is a openai model, not google's"],
        ["an unknown embedding model without its width", { ...minimal, app: { embeddings: { provider: "google", model: "tuned-embedder" } } }, "langchain-ha:app.embeddings.dimensions is required for tuned-embedder"],
        ["an unknown drMode", { ...minimal, dr: { mode: "hot" } }, "stacks/Pulumi.prod.yaml: langchain-ha:dr.mode must be one of \"warm\", \"pilot-light\", got the text \"hot\""],
        ["zero Qdrant replicas", { ...minimal, qdrant: { replicas: 0 } }, "langchain-ha:qdrant.replicas must be at least 3"],
        ["one app replica", { ...minimal, app: { replicas: 1 } }, "langchain-ha:app.replicas must be at least 2"],
        ["a malformed domain", { ...minimal, dns: { ...minimal.dns, domain: "rag_example" } }, "langchain-ha:dns.domain must be a DNS name"],
        ["a domain at the zone apex", { ...minimal, dns: { ...minimal.dns, domain: "example.com" } }, "langchain-ha:dns.domain must be a subdomain of zoneName example.com"],
        ["an unknown top-level key", { ...minimal, replicas: 3 }, "langchain-ha:replicas is not a known setting"],
        ["an unknown nested key", { ...minimal, qdrant: { replica: 3 } }, "langchain-ha:qdrant.replica is not a known setting"],
        ["a missing required section", { environment: "prod", dns: minimal.dns }, "langchain-ha:gcp is required"],
        ["a single AWS zone", { ...minimal, aws: { ...minimal.aws, availabilityZones: ["us-east-1a"] } }, "langchain-ha:aws.availabilityZones needs at least 2 zones"],
        ["a zone outside the region", { ...minimal, aws: { ...minimal.aws, availabilityZones: ["us-east-1a", "us-west-2b"] } }, "langchain-ha:aws.availabilityZones[1] us-west-2b is not a zone of us-east-1"],
        ["a repeated GCP zone", { ...minimal, gcp: { project: "acme-rag-dr", zones: ["europe-west1-b", "europe-west1-b"] } }, "langchain-ha:gcp.zones lists a zone twice"],
        ["a replication factor above the replicas", { ...minimal, qdrant: { replicas: 3, replicationFactor: 4, writeConsistencyFactor: 1 } }, "langchain-ha:qdrant.replicationFactor is 4 but only 3 replicas hold shards"],
        ["a write consistency that cannot lose a node", { ...minimal, qdrant: { replicationFactor: 2, writeConsistencyFactor: 2 } }, "langchain-ha:qdrant.writeConsistencyFactor must be at most replicationFactor - 1 (1)"],
        ["the same LLM provider twice", { ...minimal, app: { llm: { primary: "openai", secondary: "openai" } } }, "langchain-ha:app.llm.secondary must be another provider than primary"],
        ["a Route53 interval of 15 s", { ...minimal, dns: { ...minimal.dns, healthCheck: { intervalSeconds: 15 } } }, "langchain-ha:dns.healthCheck.intervalSeconds must be 10 or 30"],
        ["two checker regions", { ...minimal, dns: { ...minimal.dns, healthCheck: { regions: ["us-east-1", "eu-west-1"] } } }, "langchain-ha:dns.healthCheck.regions needs at least 3 checker regions"],
        ["min above max node counts", { ...minimal, aws: { eks: { ...minimal.aws.eks, nodesPerZone: { min: 3, desired: 2, max: 4 } } } }, "langchain-ha:aws.eks.nodesPerZone needs min <= desired <= max, got 3/2/4"],
        ["scheduled transfers under an RPO of 65 min", { ...minimal, dr: { rpoMinutes: 60 }, backup: { transferMode: "schedule" } }, "langchain-ha:dr.rpoMinutes must be at least 65 with backup.transferMode schedule (Storage Transfer repeats at most every 60 min); use backup.transferMode event for a shorter RPO"],
        ["no cluster-admin", { ...minimal, aws: {} }, "langchain-ha:aws.eks.adminPrincipalArns is required"],
        ["an empty cluster-admin list", { ...minimal, aws: { eks: { adminPrincipalArns: [] } } }, "langchain-ha:aws.eks.adminPrincipalArns must list at least the role that runs pulumi up: the cluster grants its creator no access"],
        ["an EKS API open to the internet", { ...minimal, aws: { eks: { ...minimal.aws.eks, publicAccessCidrs: ["0.0.0.0/0"] } } }, "langchain-ha:aws.eks.publicAccessCidrs[0] opens the API to the whole internet"],
        ["a GKE control plane open to the internet", { ...minimal, gcp: { ...minimal.gcp, gke: { masterAuthorizedCidrs: ["0.0.0.0/0"] } } }, "langchain-ha:gcp.gke.masterAuthorizedCidrs[0] opens the API to the whole internet"],
        ["a TTL that strands clients", { ...minimal, dns: { ...minimal.dns, ttlSeconds: 3600 } }, "langchain-ha:dns.ttlSeconds must be at most 300"],
        ["the snapshot-set prefix as a collection", { ...minimal, qdrant: { collection: "logical-snapshots" } }, "langchain-ha:qdrant.collection must not be logical-snapshots: the backup bucket keeps the logical snapshot sets under that prefix"],
    ];
    for (const [what, raw, expected] of cases) {
        test(`rejects ${what}, naming the key and the stack file`, () => {
            const message = problemsOf(raw);
            assert.ok(message.startsWith("stacks/Pulumi.prod.yaml: "), message);
            assert.ok(message.includes(expected), `${message}\n  should include: ${expected}`);
        });
    }

    test("reports every bad key at once", () => {
        const message = problemsOf({ ...minimal, dr: { mode: "hot" }, qdrant: { replicas: 1 } });
        assert.match(message, /dr\.mode/);
        assert.match(message, /qdrant\.replicas/);
    });

    test("rejects an RTO that health checks, TTL and scale-up cannot meet, naming every key that changes it", () => {
        const message = problemsOf({ ...minimal, dr: { mode: "pilot-light", rtoMinutes: 5, scaleUpMinutes: 10 } });
        assert.equal(message, "stacks/Pulumi.prod.yaml: langchain-ha:dr.rtoMinutes is 5 (300 s) but detection (30 s) + TTL (30 s) + scale-up (600 s) = 660 s;" +
            " raise dr.rtoMinutes or lower dns.healthCheck.intervalSeconds, dns.healthCheck.failureThreshold, dns.ttlSeconds, dr.scaleUpMinutes, or use dr.mode warm");
    });

    test("reports the RTO together with the other problems, in one pass", () => {
        const message = problemsOf({ ...minimal, dr: { rtoMinutes: 0.5 }, qdrant: { replicas: 1 }, app: { maxReplicas: 2, replicas: 3 } });
        assert.match(message, /langchain-ha:qdrant\.replicas must be at least 3/);
        assert.match(message, /langchain-ha:app\.maxReplicas must be at least replicas \(3\)/);
        assert.match(message, /langchain-ha:dr\.rtoMinutes is 0\.5 \(30 s\) but detection \(30 s\) \+ TTL \(30 s\) = 60 s; raise dr\.rtoMinutes or lower dns\.healthCheck\.intervalSeconds, dns\.healthCheck\.failureThreshold, dns\.ttlSeconds$/);
    });

    test("one app replica in pilot light is one problem, not also a standbyReplicas one", () => {
        const message = problemsOf({ ...minimal, dr: { mode: "pilot-light" }, app: { replicas: 1 } });
        assert.equal(message, "stacks/Pulumi.prod.yaml: langchain-ha:app.replicas must be at least 2: one replica is a single point of failure");
    });

    test("a warm standby larger than the primary is still refused", () => {
        assert.match(problemsOf({ ...minimal, dr: { mode: "warm", standbyReplicas: 4 }, app: { replicas: 3 } }), /langchain-ha:dr\.standbyReplicas must be at most app\.replicas \(3\)/);
    });

    test("a VPC block too small for its subnets fails in validation, naming the key", () => {
        const message = problemsOf({ ...minimal, aws: { ...minimal.aws, vpcCidr: "10.70.0.0/30" } });
        assert.equal(message, "stacks/Pulumi.prod.yaml: langchain-ha:aws.vpcCidr is too small: it is split into 16 subnets of /(prefix+4), and an AWS subnet is at most a /28; use a /24 or larger block such as 10.20.0.0/16");
        assert.doesNotThrow(() => resolveConfig("prod", { ...minimal, aws: { ...minimal.aws, vpcCidr: "10.70.0.0/24" } }));
    });

    test("GKE deletion protection is on unless the stack turns it off", () => {
        assert.equal(resolveConfig("prod", minimal).gcp.gke.deletionProtection, true);
        assert.equal(resolveConfig("prod", { ...minimal, gcp: { ...minimal.gcp, gke: { deletionProtection: false } } }).gcp.gke.deletionProtection, false);
        assert.match(problemsOf({ ...minimal, gcp: { ...minimal.gcp, gke: { deletionProtection: "no" } } }), /langchain-ha:gcp\.gke\.deletionProtection must be true or false, got the text "no"/);
    });
});

describe("wrong types say what was expected and what was given", () => {
    const cases: [string, Record<string, unknown>, string][] = [
        ["a YAML number for a version", { aws: { eks: { ...minimal.aws.eks, version: 1.29 } } }, 'langchain-ha:aws.eks.version must be a text, got the number 1.29 (quote it: "1.29")'],
        ["a quoted number of replicas", { qdrant: { replicas: "3" } }, 'langchain-ha:qdrant.replicas must be a number, got the text "3" (write it without quotes: 3)'],
        ["a quoted RTO", { dr: { rtoMinutes: "20" } }, 'langchain-ha:dr.rtoMinutes must be a number, got the text "20" (write it without quotes: 20)'],
        ["a fraction where a whole number belongs", { qdrant: { storageGi: 100.5 } }, "langchain-ha:qdrant.storageGi must be a whole number, got 100.5"],
        ["a number where a mapping belongs", { aws: { eks: { ...minimal.aws.eks, nodesPerZone: 2 } } }, "langchain-ha:aws.eks.nodesPerZone must be a mapping of nested keys, got the number 2 (nest its keys under it, one level deeper in the YAML)"],
        ["a comma-separated text where a list belongs", { aws: { ...minimal.aws, availabilityZones: "a,b" } }, 'langchain-ha:aws.availabilityZones must be a list, got the text "a,b" (write a YAML list: [a, b])'],
        ["a text where an option belongs", { dr: { mode: 3 } }, 'langchain-ha:dr.mode must be one of "warm", "pilot-light", got the number 3'],
        ["too many zones", { gcp: { ...minimal.gcp, zones: ["europe-west1-a", "europe-west1-b", "europe-west1-c", "europe-west1-d", "europe-west1-e"] } }, "langchain-ha:gcp.zones needs at most 4 entries, got 5"],
    ];
    for (const [what, extra, expected] of cases) {
        test(`${what}`, () => {
            const message = problemsOf({ ...minimal, ...extra });
            assert.equal(message, `stacks/Pulumi.prod.yaml: ${expected}`);
        });
    }
    test("a required key that is missing is still 'required'", () => {
        assert.equal(problemsOf({ ...minimal, gcp: {} }), "stacks/Pulumi.prod.yaml: langchain-ha:gcp.project is required");
    });
});

describe("dotted keys", () => {
    test("are answered with the nested YAML to write, and the pulumi config command that writes it", () => {
        const message = problemsOf({ ...minimal, "dr.rpoMinutes": "45" });
        assert.equal(message, "stacks/Pulumi.prod.yaml: langchain-ha:dr.rpoMinutes is a dotted key, which Pulumi reads as a setting of its own: nest it under langchain-ha:dr in the stack file," +
            " as `langchain-ha:dr: { rpoMinutes: 45 }` (merged with the keys already there), or set it with `pulumi config set --path 'langchain-ha:dr.rpoMinutes' 45`");
    });
    test("nest as deep as they go", () => {
        assert.match(problemsOf({ ...minimal, "dns.healthCheck.intervalSeconds": "30" }), /as `langchain-ha:dns: \{ healthCheck: \{ intervalSeconds: 30 \} \}`/);
    });
    test("an unknown key that is not a dotted section stays unknown", () => {
        assert.match(problemsOf({ ...minimal, "foo.bar": "1" }), /langchain-ha:foo\.bar is not a known setting/);
    });
});

describe("derived values", () => {
    test("the snapshot interval is the largest cron-friendly value within half the RPO", () => {
        assert.deepEqual(backupSchedule(60, "event"), { snapshotEveryMinutes: 30, snapshotCron: "*/30 * * * *", transferRepeatInterval: "1800s", worstCaseRpoMinutes: 35 });
        assert.equal(backupSchedule(240, "schedule").snapshotCron, "0 */2 * * *");
        assert.equal(backupSchedule(10, "event").snapshotEveryMinutes, 5);
        assert.equal(backupSchedule(2880, "event").snapshotCron, "0 0 * * *");
    });

    test("scheduled transfers repeat at least hourly, the snapshots take what is left of the RPO", () => {
        assert.deepEqual(backupSchedule(65, "schedule"), { snapshotEveryMinutes: 5, snapshotCron: "*/5 * * * *", transferRepeatInterval: "3600s", worstCaseRpoMinutes: 65 });
        assert.deepEqual(backupSchedule(90, "schedule"), { snapshotEveryMinutes: 30, snapshotCron: "*/30 * * * *", transferRepeatInterval: "3600s", worstCaseRpoMinutes: 90 });
        assert.deepEqual(backupSchedule(240, "schedule"), { snapshotEveryMinutes: 120, snapshotCron: "0 */2 * * *", transferRepeatInterval: "7200s", worstCaseRpoMinutes: 240 });
        assert.throws(() => backupSchedule(60, "schedule"), { message: "an RPO of 60 min cannot be met with scheduled transfers; it needs at least 65 min" });
    });

    test("the worst-case RPO never exceeds the target, and no scheduled transfer repeats more often than hourly", () => {
        for (const rpo of [10, 15, 45, 60, 65, 90, 120, 600, 1440, 10080]) {
            for (const mode of ["event", "schedule"] as const) {
                if (mode === "schedule" && rpo < 65) continue;
                const s = backupSchedule(rpo, mode);
                assert.ok(s.worstCaseRpoMinutes <= rpo, `rpo ${rpo} ${mode}: worst case ${s.worstCaseRpoMinutes}`);
                if (mode === "schedule") assert.ok(parseInt(s.transferRepeatInterval, 10) >= 3600, `rpo ${rpo}: ${s.transferRepeatInterval}`);
            }
        }
    });

    test("cron expressions", () => {
        assert.equal(cronEvery(5), "*/5 * * * *");
        assert.equal(cronEvery(60), "0 * * * *");
        assert.equal(cronEvery(360), "0 */6 * * *");
    });

    test("recovery time adds detection, TTL and the pilot-light scale-up", () => {
        const dns = { healthCheck: { intervalSeconds: 10 as const, failureThreshold: 3, regions: [] }, ttlSeconds: 60 };
        const warm = recoveryTimes({ dns, dr: { mode: "warm", scaleUpMinutes: 10 } } as never);
        assert.deepEqual(warm, { detectionSeconds: 30, ttlSeconds: 60, scaleUpSeconds: 0, impliedRtoSeconds: 90 });
        const pilot = recoveryTimes({ dns, dr: { mode: "pilot-light", scaleUpMinutes: 10 } } as never);
        assert.equal(pilot.impliedRtoSeconds, 690);
    });

    test("subnets are carved from the VPC block without overlap", () => {
        assert.equal(subnetCidr("10.20.0.0/16", 4, 0), "10.20.0.0/20");
        assert.equal(subnetCidr("10.20.0.0/16", 4, 8), "10.20.128.0/20");
        assert.equal(subnetCidr("10.20.0.0/16", 4, 15), "10.20.240.0/20");
        assert.throws(() => subnetCidr("10.20.0.0/16", 4, 16), /no subnet number 16/);
        assert.throws(() => subnetCidr("10.20.0.0/26", 4, 0), /too small/);
    });
});

describe("the run's date", () => {
    test("is the UTC calendar date, whatever the local time zone", () => {
        assert.deepEqual(utcDate(new Date("2026-11-30T23:30:00-05:00")), { year: 2026, month: 12, day: 1 });
        assert.deepEqual(utcDate(new Date("2026-01-01T00:00:00Z")), { year: 2026, month: 1, day: 1 });
    });
});

describe("secrets", () => {
    test("a stack needs the GCP TLS material, the admin token and the key of every LLM provider it names", () => {
        const keys = (llm: { primary: string; secondary: string }) => requiredSecrets(resolveConfig("prod", { ...minimal, app: { llm } }));
        assert.deepEqual(keys({ primary: "openai", secondary: "anthropic" }), ["gcpTlsCertificate", "gcpTlsPrivateKey", "adminToken", "apiKeysRead", "apiKeysWrite", "qdrantApiKey", "openaiApiKey", "anthropicApiKey"]);
        // Embeddings default to OpenAI: its key is needed even where no LLM slot names it.
        assert.deepEqual(keys({ primary: "google", secondary: "none" }), ["gcpTlsCertificate", "gcpTlsPrivateKey", "adminToken", "apiKeysRead", "apiKeysWrite", "qdrantApiKey", "googleApiKey", "openaiApiKey"]);
        assert.deepEqual(keys({ primary: "none", secondary: "none" }), ["gcpTlsCertificate", "gcpTlsPrivateKey", "adminToken", "apiKeysRead", "apiKeysWrite", "qdrantApiKey", "openaiApiKey"]);
        const withEmbeddings = (provider: string) => requiredSecrets(resolveConfig("prod", { ...minimal, app: { llm: { primary: "openai", secondary: "anthropic" }, embeddings: { provider } } }));
        assert.deepEqual(withEmbeddings("google"), ["gcpTlsCertificate", "gcpTlsPrivateKey", "adminToken", "apiKeysRead", "apiKeysWrite", "qdrantApiKey", "openaiApiKey", "anthropicApiKey", "googleApiKey"]);
        assert.deepEqual(withEmbeddings("none"), ["gcpTlsCertificate", "gcpTlsPrivateKey", "adminToken", "apiKeysRead", "apiKeysWrite", "qdrantApiKey", "openaiApiKey", "anthropicApiKey"]);
    });

    test("embedding model and width are resolved in the stack config, so a change of the service's defaults moves no stack", () => {
        assert.deepEqual(resolveConfig("prod", minimal).app.embeddings, { provider: "openai", model: "text-embedding-3-small", dimensions: 1536 });
        assert.deepEqual(resolveConfig("prod", { ...minimal, app: { embeddings: { provider: "google", dimensions: 768 } } }).app.embeddings, { provider: "google", model: "gemini-embedding-001", dimensions: 768 });
        assert.deepEqual(resolveConfig("prod", { ...minimal, app: { embeddings: { provider: "none" } } }).app.embeddings, { provider: "none" });
    });

    /** Sets prod's minimal config and the given secrets as the engine would hand them to the program. */
    function withSecrets(values: Record<string, string>): void {
        const secrets = Object.fromEntries(Object.entries(values).map(([k, v]) => [`langchain-ha:${k}`, v]));
        pulumi.runtime.setAllConfig({
            "langchain-ha:environment": "prod",
            "langchain-ha:aws": JSON.stringify(minimal.aws),
            "langchain-ha:gcp": JSON.stringify(minimal.gcp),
            "langchain-ha:dns": JSON.stringify(minimal.dns),
            ...secrets,
        }, Object.keys(secrets));
    }
    const tls = { gcpTlsCertificate: "CERT", gcpTlsPrivateKey: "KEY", apiKeysRead: "read-key-0123456789abcdef", apiKeysWrite: "write-key-0123456789abcdef" };

    test("pulumi up stops before any resource when a required secret is not set", () => {
        withSecrets({ ...tls, openaiApiKey: "sk-test", adminToken: "admin-token-for-tests" });
        assert.throws(() => readProgramConfig("stacks/Pulumi.prod.yaml"), {
            message: "stacks/Pulumi.prod.yaml: langchain-ha:qdrantApiKey is required (pulumi config set --secret langchain-ha:qdrantApiKey ...); langchain-ha:anthropicApiKey is required (pulumi config set --secret langchain-ha:anthropicApiKey ...)",
        });
    });

    test("an admin token the service would refuse stops pulumi up with one line", () => {
        withSecrets({ ...tls, openaiApiKey: "sk-test", anthropicApiKey: "sk-ant-test", qdrantApiKey: "qdrant-test-key", adminToken: "short" });
        assert.throws(() => readProgramConfig("stacks/Pulumi.prod.yaml"), {
            message: "stacks/Pulumi.prod.yaml: langchain-ha:adminToken must be at least 16 characters (e.g. openssl rand -hex 32)",
        });
        withSecrets({ ...tls, openaiApiKey: "sk-test", anthropicApiKey: "sk-ant-test", qdrantApiKey: "qdrant-test-key", adminToken: "a".repeat(16) });
        assert.doesNotThrow(() => readProgramConfig("stacks/Pulumi.prod.yaml"));
    });

    test("API keys: both scopes required, each key long enough, named by list and position, never printed", () => {
        const others = { gcpTlsCertificate: "CERT", gcpTlsPrivateKey: "KEY", openaiApiKey: "sk-test", anthropicApiKey: "sk-ant-test", qdrantApiKey: "qdrant-test-key", adminToken: "a".repeat(16) };
        withSecrets({ ...others, apiKeysRead: "read-key-0123456789abcdef" });
        assert.throws(() => readProgramConfig("stacks/Pulumi.prod.yaml"), {
            message: "stacks/Pulumi.prod.yaml: langchain-ha:apiKeysWrite is required (pulumi config set --secret langchain-ha:apiKeysWrite ...)",
        });
        withSecrets({ ...others, apiKeysRead: "read-key-0123456789abcdef,tiny-key", apiKeysWrite: "write-key-0123456789abcdef" });
        assert.throws(() => readProgramConfig("stacks/Pulumi.prod.yaml"), {
            message: "stacks/Pulumi.prod.yaml: langchain-ha:apiKeysRead key 2 is shorter than 16 characters (e.g. openssl rand -hex 32)",
        });
        withSecrets({ ...others, apiKeysRead: "read-key-0123456789abcdef, read-key-next-0123456789", apiKeysWrite: "write-key-0123456789abcdef" });
        assert.doesNotThrow(() => readProgramConfig("stacks/Pulumi.prod.yaml"));
    });
});

describe("the slo section of a stack", () => {
    test("defaults to 99.99 % availability and 99 % within 2 s on /v1/ask over 30 days", () => {
        const spec = observabilitySpec(resolveConfig("prod", minimal));
        assert.deepEqual(spec.slos.map((s) => [s.name, s.objective, s.windowDays, s.sli]), [
            ["availability", 0.9999, 30, { kind: "availability", routes: ["/v1/ask"] }],
            ["latency", 0.99, 30, { kind: "latency", routes: ["/v1/ask"], thresholdSeconds: 2 }],
        ]);
        assert.equal(spec.limits.rpoSeconds, 3600);
        assert.equal(spec.limits.qdrantPeers, 3);
    });

    const cases: [string, Record<string, unknown>, string][] = [
        ["an objective of 100 %", { slo: { availability: { objectivePercent: 100 } } }, "langchain-ha:slo.availability.objectivePercent must be at most 99.999, got 100"],
        ["a latency threshold that is no histogram bucket", { slo: { latency: { thresholdSeconds: 3 } } }, "langchain-ha:slo.latency.thresholdSeconds must be a latency bucket of the service: one of 0.001,"],
        ["a route without a leading slash", { slo: { availability: { routes: ["v1/ask"] } } }, "langchain-ha:slo.availability.routes[0] must be a route path such as /v1/ask"],
        ["no route", { slo: { latency: { routes: [] } } }, "langchain-ha:slo.latency.routes needs at least 1 entry, got 0"],
        ["a misspelt key", { slo: { availabilty: {} } }, "langchain-ha:slo.availabilty is not a known setting"],
        ["a one-day window", { slo: { windowDays: 1 } }, "langchain-ha:slo.windowDays must be at least 7, got 1"],
    ];
    for (const [what, extra, expected] of cases) {
        test(`rejects ${what}, naming the key and the stack file`, () => {
            const message = problemsOf({ ...minimal, ...extra });
            assert.ok(message.startsWith("stacks/Pulumi.prod.yaml: "), message);
            assert.ok(message.includes(expected), `${message}\n  should include: ${expected}`);
        });
    }
});
