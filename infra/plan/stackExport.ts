/**
 * The shape of `pulumi stack export` (deployment version 3), limited to the fields that
 * tools reading an export rely on. `npm run plan --export` writes it and `npm run check
 * --state` reads it, so both speak the format real Pulumi state files use.
 */

export interface ExportedResource {
    urn: string;
    /** Provider-assigned id; absent for component resources. */
    id?: string;
    /** Resource type token, e.g. `aws:ec2/subnet:Subnet`. */
    type: string;
    /** `true` for resources managed by a provider; `false` for components and the stack. */
    custom: boolean;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
    /** URN of the parent resource (the stack for top-level resources). */
    parent?: string;
    /** Provider reference `<provider-urn>::<provider-id>`. */
    provider?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
}

export interface StackExport {
    version: 3;
    deployment: {
        manifest: { time: string; magic: string; version: string };
        resources: ExportedResource[];
    };
}
