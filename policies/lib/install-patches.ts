// Imported first by the pack's entry (and by tests that run the pack's server in-process): both
// patches replace modules of the Pulumi packages, so they must be in place before
// @pulumi/policy loads. Each applies only to the shape it knows (see the two modules).
import { loadPulumiLazily } from "./lazy-pulumi";
import { buildStackResourcesOnce } from "./stack-resources-once";

loadPulumiLazily();
buildStackResourcesOnce();
