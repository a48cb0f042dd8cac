/**
 * Anchor checks: the checks of established scanners and policy packs that judge the same
 * thing as a rule, so that a reader can map this pack to the tools they know (and see where
 * the pack goes further). Kept as rule metadata in one table, checked by a meta-test and
 * generated into docs/policies.md.
 */
export const ANCHOR_TOOLS = ["Checkov", "KICS", "Trivy", "Polaris", "kube-score", "Pulumi compliance"] as const;
export type AnchorTool = (typeof ANCHOR_TOOLS)[number];

export interface Anchor {
    tool: AnchorTool;
    /** The tool's own id: CKV_AWS_157, a KICS query UUID, AVD-AWS-0077, a Polaris check, a kube-score check, a Pulumi policy name. */
    id: string;
    /** The tool's own title of the check, as it words it. */
    title: string;
}

/** The shape of each tool's ids, for the meta-test. */
export const ANCHOR_ID_FORMATS: Record<AnchorTool, RegExp> = {
    Checkov: /^CKV2?_[A-Z0-9]+_\d+$/,
    KICS: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    Trivy: /^AVD-[A-Z0-9]+-\d{4}$/,
    Polaris: /^[a-z][A-Za-z]+$/,
    "kube-score": /^[a-z]+(-[a-z]+)+$/,
    "Pulumi compliance": /^(aws|gcp|kubernetes|azure)(-[a-z0-9]+)+$/,
};
