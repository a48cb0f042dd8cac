import type { Rule, RuleProvider, Severity } from "./rule";

export interface RuleFilter {
    provider?: RuleProvider;
    service?: string;
    severity?: Severity;
}

/** The set of rules; names are unique, and a pack is a selection of it. */
export class Registry {
    private readonly rules = new Map<string, Rule>();

    add(...rules: Rule[]): this {
        for (const rule of rules) {
            if (this.rules.has(rule.name)) {
                throw new Error(`duplicate rule name "${rule.name}"`);
            }
            this.rules.set(rule.name, rule);
        }
        return this;
    }

    get(name: string): Rule | undefined {
        return this.rules.get(name);
    }

    all(): Rule[] {
        return [...this.rules.values()];
    }

    select(filter: RuleFilter): Rule[] {
        return this.all().filter(
            (r) =>
                (filter.provider === undefined || r.provider === filter.provider) &&
                (filter.service === undefined || r.service === filter.service) &&
                (filter.severity === undefined || r.severity === filter.severity),
        );
    }
}
