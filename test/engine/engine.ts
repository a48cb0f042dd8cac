import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ProcessResult } from "../support/process";

/**
 * The real Pulumi CLI against a local file backend, with the stand-ins of test/engine/standins
 * (language host, aws/gcp/kubernetes providers) on the PATH as ambient plugins.
 */

export const REPO = path.resolve(__dirname, "../..");
export const PACK_DIR = path.join(REPO, "policies");
const BUILD_SCRIPT = path.join(REPO, ".ci/pulumi/build.sh");

export interface EngineBins {
    /** Directory of the `pulumi` executable. */
    cli: string;
    /** Directory of pulumi-language-nodejs and pulumi-resource-{aws,gcp,kubernetes}. */
    standins: string;
}

let bins: EngineBins | undefined;

/**
 * Builds the CLI and the stand-ins on first use (cached outside the repository by version and
 * source hash, so only a fresh machine pays for it), and returns where they are.
 */
export function engineBins(): EngineBins {
    if (bins) return bins;
    // stderr (progress of a cold build) goes straight to the test's output.
    const out = execFileSync("bash", [BUILD_SCRIPT], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const line = (key: string) => {
        const value = out.split("\n").find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1);
        if (!value) throw new Error(`${BUILD_SCRIPT} printed no ${key}= line`);
        return value;
    };
    bins = { cli: line("cli"), standins: line("standins") };
    return bins;
}

/** A Pulumi project laid out in a temporary directory. */
export interface ProjectSource {
    /** Files copied into the project (Pulumi.yaml, stack files), as project-relative paths. */
    copy: Record<string, string>;
    /** Entries linked into the project (the program, node_modules), as project-relative paths. */
    link: Record<string, string>;
}

/** The repository's own program, with its stack files copied so that the CLI may write to them. */
export function repoProject(): ProjectSource {
    const copy: Record<string, string> = { "Pulumi.yaml": path.join(REPO, "Pulumi.yaml") };
    for (const f of fs.readdirSync(path.join(REPO, "stacks"))) copy[`stacks/${f}`] = path.join(REPO, "stacks", f);
    const link: Record<string, string> = {};
    for (const entry of ["package.json", "tsconfig.json", "node_modules", "infra", "app"]) link[entry] = path.join(REPO, entry);
    return { copy, link };
}

/** A small program of test/engine/fixtures, run with the repository's node_modules. */
export function fixtureProject(name: string): ProjectSource {
    const dir = path.join(__dirname, "fixtures", name);
    const copy: Record<string, string> = {};
    for (const f of fs.readdirSync(dir)) copy[f] = path.join(dir, f);
    const link: Record<string, string> = {};
    for (const entry of ["package.json", "tsconfig.json", "node_modules"]) link[entry] = path.join(REPO, entry);
    return { copy, link };
}

/** Bounds every CLI run, so that a hung engine fails the test instead of the suite. */
const RUN_TIMEOUT_MS = 10 * 60_000;

export interface RunOptions {
    /** Log every gRPC call the engine makes to its plugins (PULUMI_DEBUG_GRPC) into this file. */
    grpcLog?: string;
}

export class EngineProject {
    private constructor(
        readonly root: string,
        readonly dir: string,
        private readonly bins: EngineBins,
    ) {}

    static create(source: ProjectSource): EngineProject {
        const b = engineBins();
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "langchain-ha-engine-"));
        const dir = path.join(root, "project");
        for (const [rel, from] of Object.entries(source.copy)) {
            fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
            fs.copyFileSync(from, path.join(dir, rel));
        }
        for (const [rel, to] of Object.entries(source.link)) fs.symlinkSync(to, path.join(dir, rel));
        fs.mkdirSync(path.join(root, "state"));
        fs.mkdirSync(path.join(root, "home"));
        return new EngineProject(root, dir, b);
    }

    env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
        const inherited = { ...process.env };
        // Ambient plugins are how the stand-ins are found; gRPC logging is per run (RunOptions).
        delete inherited.PULUMI_IGNORE_AMBIENT_PLUGINS;
        delete inherited.PULUMI_DEBUG_GRPC;
        return {
            ...inherited,
            PATH: [this.bins.standins, this.bins.cli, process.env.PATH].join(path.delimiter),
            PULUMI_HOME: path.join(this.root, "home"),
            PULUMI_BACKEND_URL: `file://${path.join(this.root, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "engine-test-passphrase",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            // Nothing is downloaded: every plugin the engine needs is a stand-in on the PATH.
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            NO_COLOR: "1",
            // The program is type-checked by `tsc --noEmit` (CI's second step); ts-node only compiles it.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
            ...extra,
        };
    }

    /** Runs `pulumi <args>` in the project, non-interactively. */
    pulumi(args: string[], opts: RunOptions = {}): Promise<ProcessResult> {
        const env = this.env(opts.grpcLog ? { PULUMI_DEBUG_GRPC: opts.grpcLog } : {});
        return new Promise((resolve, reject) => {
            const child = spawn(path.join(this.bins.cli, "pulumi"), [...args, "--non-interactive"], { cwd: this.dir, env });
            let stdout = "";
            let stderr = "";
            const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
            child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
            child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
            child.on("error", (e) => { clearTimeout(timer); reject(e); });
            child.on("close", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
        });
    }

    /** Like pulumi(), but a non-zero exit is an error that shows the CLI's output. */
    async must(args: string[], opts: RunOptions = {}): Promise<ProcessResult> {
        const r = await this.pulumi(args, opts);
        if (r.code !== 0) throw new Error(`pulumi ${args.join(" ")} exited with ${r.code}\n${r.stdout}\n${r.stderr}`);
        return r;
    }

    /** Creates `stack` in the file backend (passphrase secrets) and sets `secrets` on it. */
    async initStack(stack: string, secrets: Record<string, string> = {}): Promise<void> {
        await this.must(["stack", "init", stack, "--secrets-provider", "passphrase"]);
        const pairs = Object.entries(secrets).flatMap(([k, v]) => ["--secret", `${k}=${v}`]);
        if (pairs.length > 0) await this.must(["config", "set-all", "--stack", stack, ...pairs]);
    }

    close(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
