import { containerEnv, containers, K8S, podLabels, scopeKey, serviceSelects, withScopeOrUnreadable } from "./kubernetes";
import { followerEnv, mayUpdateLease } from "./replication";
import type { RuleContext, StackView } from "./rule";
import { asArray, asRecord, asString, get, known, UNKNOWN } from "./values";
import type { Workload } from "./workloads";

/**
 * Singleton controllers: a workload that does its work only while it holds a leader lease
 * (cluster-autoscaler, operators, controller-runtime managers) and that no Service sends
 * requests to. Its replicas beyond the leader are warm standbys, not capacity: one replica is
 * a slower failover, not a serving single point of failure. A workload that serves requests
 * stays a serving workload whatever it elects.
 */

/** Flags of the usual leader-election implementations (client-go, controller-runtime, ingress-nginx). */
const ELECTION_FLAGS = /^--?(leader-elect|leader-election|enable-leader-election|leader-elect-resource-name|leader-election-id|election-id)(=(.*))?$/;
const ELECTION_ENV = ["LEADER_ELECT", "LEADER_ELECTION", "ENABLE_LEADER_ELECTION"];
/** Ports only a metrics scraper or a probe uses; a Service with nothing else does not make its pods serving. */
const NON_SERVING_PORT = /metrics|prometheus|monitoring|healthz|probe/i;

/** "on", "off" or undefined from a container's args, command and env. */
function electionSetting(props: Record<string, unknown>): "on" | "off" | undefined {
    let setting: "on" | "off" | undefined;
    for (const c of containers(props)) {
        for (const arg of [...asArray(c["command"]), ...asArray(c["args"])]) {
            const m = typeof arg === "string" ? ELECTION_FLAGS.exec(arg) : null;
            if (!m) continue;
            const value = (m[3] ?? "true").toLowerCase();
            const isSwitch = m[1] === "leader-elect" || m[1] === "leader-election" || m[1] === "enable-leader-election";
            if (isSwitch && value === "false") return "off";
            setting = "on";
        }
        const env = containerEnv(c);
        for (const key of ELECTION_ENV) {
            const raw = env.get(key);
            const v = typeof raw === "string" ? raw.toLowerCase() : undefined; // Unknown in preview: no evidence either way.
            if (v === "false") return "off";
            if (v === "true") setting = "on";
        }
    }
    return setting;
}

/** Services of the workload's scope that send it requests (not only scrapes or probes). */
function servingServices(stack: StackView, ctx: RuleContext, w: Workload): string[] {
    const names: string[] = [];
    const labels = podLabels(w.subject.props);
    // Only Services of its scope can select it; one whose scope cannot be read says so, as before.
    stack.each(withScopeOrUnreadable(stack, [K8S.service], w.scope), ctx, (s) => {
        if (scopeKey(s, stack) !== w.scope || !serviceSelects(get(s.props, "spec.selector"), labels)) return;
        const ports = asArray(get(s.props, "spec.ports")).map(asRecord);
        const serving = ports.length === 0 || ports.some((p) => !NON_SERVING_PORT.test(asString(p["name"]) ?? "") && !NON_SERVING_PORT.test(String(p["targetPort"] ?? "")));
        if (serving) names.push(s.name);
    });
    return names;
}

/**
 * Why `w` is a leader-elected singleton controller (the evidence, for messages), or undefined
 * when it is not one: it must elect a leader (a flag or env of its containers, or RBAC that lets
 * its service account update a Lease, unless a flag turns election off), no Service may send it
 * requests, no autoscaler may scale it, and it is neither Qdrant nor a replication follower
 * (both have their own rules).
 */
export function leaderElectedController(stack: StackView, ctx: RuleContext, w: Workload): string | undefined {
    const found = known(() => controllerEvidence(stack, ctx, w));
    return found === UNKNOWN ? undefined : found; // Undecided: judged as a serving workload.
}

function controllerEvidence(stack: StackView, ctx: RuleContext, w: Workload): string | undefined {
    if (w.qdrant || w.hpaMin !== undefined || followerEnv(w.subject.props) !== undefined) return undefined;
    const setting = electionSetting(w.subject.props);
    if (setting === "off") return undefined;
    const evidence = setting === "on" ? "its containers enable leader election" : mayUpdateLease(stack, w.subject, undefined) === true ? "its service account may update a coordination.k8s.io Lease" : undefined;
    if (evidence === undefined) return undefined;
    return servingServices(stack, ctx, w).length === 0 ? evidence : undefined;
}
