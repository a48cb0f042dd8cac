// First, so that @pulumi/policy loads a @pulumi/pulumi whose unused parts load on demand
// (lib/lazy-pulumi.ts) and an analyzer server that builds a stack's resources once per request
// (lib/stack-resources-once.ts).
import "./lib/install-patches";
import { PolicyPack } from "@pulumi/policy";
import { packPolicies } from "./lib/pack";
import { registry } from "./rules";

// Constructing the pack starts its gRPC server; tests and tools import ./rules instead.
new PolicyPack("no-single-point-of-failure", {
    description: "Rejects every single point of failure: databases, caches, compute, Kubernetes workloads, Qdrant, DNS failover, backups and the DR side.",
    policies: packPolicies(registry.all()),
});
