// Imported first by the pack's entry, before @pulumi/policy loads @pulumi/pulumi (see lazy-pulumi.ts).
import { loadPulumiLazily } from "./lazy-pulumi";

loadPulumiLazily();
