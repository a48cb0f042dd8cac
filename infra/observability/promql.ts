/**
 * Label matchers added to every selector of a generated query, so the same spec serves a
 * Prometheus that holds one cluster's series (AMP workspace per stack) and one that holds many
 * (Cloud Monitoring, where `cluster` and `namespace` tell stacks apart).
 */
export type Scope = Readonly<Record<string, string>>;

function quote(value: string): string {
    return JSON.stringify(value);
}

/** `metric{m1,m2,scope...}`; `matchers` are rendered PromQL matchers such as `route="/v1/ask"`. */
export function sel(metric: string, scope: Scope, ...matchers: string[]): string {
    const all = [...matchers, ...Object.entries(scope).map(([k, v]) => `${k}=${quote(v)}`)];
    return all.length === 0 ? metric : `${metric}{${all.join(",")}}`;
}

export function eq(label: string, value: string): string {
    return `${label}=${quote(value)}`;
}

/** A matcher for any of `values`, exact (regex metacharacters escaped). */
export function oneOf(label: string, values: readonly string[]): string {
    if (values.length === 1) return eq(label, values[0]!);
    const escaped = values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return `${label}=~${quote(escaped.join("|"))}`;
}

/** A number as PromQL writes it, without float noise such as 0.00010000000000000009. */
export function num(value: number): string {
    return String(Number(value.toPrecision(6)));
}

/** A PromQL duration in seconds; accepts the units the generator writes (s, m, h, d). */
export function seconds(d: string): number {
    const m = /^(\d+)([smhd])$/.exec(d);
    if (!m) throw new Error(`not a PromQL duration: ${d}`);
    return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
}
