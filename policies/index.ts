// First, so that @pulumi/policy finds a @pulumi/pulumi whose unused parts load on demand (lib/lazy-pulumi.ts).
import "./lib/lazy-pulumi-install";
import { PolicyPack } from "@pulumi/policy";
import { packPolicies } from "./lib/pack";
import { registry } from "./rules";

// Constructing the pack starts its gRPC server; tests and tools import ./rules instead.
new PolicyPack("no-single-point-of-failure", {
    description: "Rejects every single point of failure: databases, caches, compute, Kubernetes workloads, Qdrant, DNS failover, backups and the DR side.",
    policies: packPolicies(registry.all()),
});
