/**
 * The real Pulumi engine on this project's program: the CLI built by `npm run toolchain`,
 * the Node.js language host beside it, and the provider stand-ins of toolchain/providers,
 * installed into a scratch PULUMI_HOME as the plugins of the versions package.json pins.
 * A RealStack is one stack in a scratch directory, with a file backend and a passphrase
 * secrets provider, on the stack config a user would write with `pulumi config set`.
 * Nothing is downloaded (PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION) and nothing leaves
 * the machine: the stand-ins keep their "cloud" in files of the scratch directory.
 */
import { execFileSync, spawn, spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { LocalCloud } from "../../toolchain/providers/local-cloud";
import { limitMs } from "../../tests/limits";

const REPO = path.resolve(__dirname, "..", "..");
const TOOLCHAIN = path.join(REPO, "toolchain");
/** The packages whose plugins the program loads, each standing in at its SDK's version. */
export const PROVIDER_PACKAGES = ["command", "digitalocean", "hcloud", "random", "tailscale", "tls"] as const;
/** A bound on every CLI run (a first `pulumi up` takes about 10 s on a quiet machine): from tests/limits.json, the one place for time limits. */
const RUN_TIMEOUT_MS = limitMs(75);

/** The bin directory `npm run toolchain` builds for the current sources, if it is built. */
export function toolchainBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const cache = env.OPENCLAW_VPS_TOOLCHAIN_CACHE ?? path.join(os.homedir(), ".cache", "openclaw-vps", "toolchain");
  // The same inputs, in the same order, as toolchain/build.sh: go.mod, go.sum, build.sh
  // and every .go file, sorted by path in byte order.
  const inputs: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(path.join(TOOLCHAIN, dir), { withFileTypes: true })) {
      const rel = dir === "" ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && (rel.endsWith(".go") || ["go.mod", "go.sum", "build.sh"].includes(entry.name))) inputs.push(rel);
    }
  };
  walk("");
  inputs.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const hash = createHash("sha256");
  for (const f of inputs) hash.update(fs.readFileSync(path.join(TOOLCHAIN, f)));
  const bin = path.join(cache, hash.digest("hex").slice(0, 16), "bin");
  return ["pulumi", "pulumi-language-nodejs", "pulumi-language-python", "pulumi-language-python-exec", "pulumi-resource-pulumi-nodejs"].every((f) => fs.existsSync(path.join(bin, f))) ? bin : undefined;
}

/** One step of a plan or an update: the engine's operation on a resource. */
export interface EngineStep {
  readonly op: string;
  readonly urn: string;
  readonly type: string;
  readonly name: string;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A CLI run that failed: its output is in the message (no secret is ever in it: see the tests). */
export class CliError extends Error {
  constructor(readonly args: readonly string[], readonly result: RunResult) {
    super(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  }
}

function sdkVersion(pkg: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(REPO, "node_modules", "@pulumi", pkg, "package.json"), "utf8")) as { pulumi: { version: string } };
  return manifest.pulumi.version;
}

/**
 * Collapses the engine's events into one operation per resource: a replacement shows as
 * create-replacement, replace and delete-replaced, and is one "replace" here.
 */
export function stepsOfEvents(lines: readonly string[]): EngineStep[] {
  const order: string[] = [];
  const ops = new Map<string, { type: string; ops: Set<string> }>();
  for (const line of lines) {
    const event = JSON.parse(line) as { resourcePreEvent?: { metadata: { op: string; urn: string; type: string } } };
    const m = event.resourcePreEvent?.metadata;
    if (!m) continue;
    if (!ops.has(m.urn)) {
      ops.set(m.urn, { type: m.type, ops: new Set() });
      order.push(m.urn);
    }
    ops.get(m.urn)?.ops.add(m.op);
  }
  return order.map((urn) => {
    const entry = ops.get(urn);
    if (!entry) throw new Error(`no entry for ${urn}`);
    const o = entry.ops;
    const op = o.has("replace") || o.has("create-replacement") ? "replace" : o.has("delete-replaced") ? "delete-replaced" : [...o][0];
    return { op, urn, type: entry.type, name: urn.split("::").slice(3).join("::") };
  });
}

/** One line of the command stand-in's log (toolchain/providers/standin.ts). */
export interface CommandLogEntry {
  readonly name: string;
  readonly op: string;
  /** Which text the run was asked to run: create, update or delete. */
  readonly runs?: string;
  /** With commands run: 0 when it succeeded, 1 when it failed. */
  readonly done?: 0 | 1;
  readonly seconds?: number;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly error?: string;
}

export class RealStack {
  readonly project: string;
  /** The environment every CLI run gets: scratch PULUMI_HOME, file backend, passphrase, no downloads. */
  readonly env: NodeJS.ProcessEnv;
  private events = 0;
  /** The config values this object last set, so an unchanged value is not set again. */
  private readonly applied = new Map<string, string>();

  private constructor(readonly dir: string, readonly stack: string, bin: string, extraEnv: Readonly<Record<string, string>>) {
    this.project = path.join(dir, "project");
    this.env = {
      // The CLI with its language host and the dynamic provider's shim beside it, as Pulumi's
      // releases lay them out; the stand-ins are in PULUMI_HOME's plugin cache, at their SDKs'
      // versions, and nothing else on PATH is taken for a plugin.
      ...scratchCliEnv(bin, dir),
      // The drift check's ssh (components/driftCheck.ts) finds no server here: the servers are
      // the local cloud's records, whose addresses belong to nobody. ssh's answer for a machine
      // off the tailnet, at once, and nothing sent to any address. A run that has a server to
      // reach (the rehearsal, tests/engine/driftCheck.test.ts) puts its own first on PATH.
      PATH: [bin, offTailnetSsh(dir), process.env.PATH ?? ""].join(path.delimiter),
      PULUMI_CONFIG_PASSPHRASE: "the rehearsal's passphrase",
      // --event-log is offered only with this set (pkg/cmd/pulumi/operations/up.go).
      PULUMI_DEBUG_COMMANDS: "true",
      PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
      OPENCLAW_VPS_LOCAL_CLOUD: path.join(dir, "cloud"),
      OPENCLAW_VPS_COMMAND_LOG: path.join(dir, "commands.jsonl"),
      // No ambient credentials may reach the stand-ins.
      HCLOUD_TOKEN: undefined,
      DIGITALOCEAN_TOKEN: undefined,
      TAILSCALE_API_KEY: undefined,
      PULUMI_CONFIG: undefined,
      ...extraEnv,
    };
  }

  /**
   * A new stack of this repository's program in a new scratch directory, with the plugins
   * installed. `env` reaches the CLI and, through it, the stand-ins (OPENCLAW_VPS_RUN_COMMANDS,
   * OPENCLAW_VPS_HOSTS, ...).
   */
  static create(bin: string, stack = "dev", env: Readonly<Record<string, string>> = {}, projectName?: string): RealStack {
    return RealStack.createWith(bin, stack, env, (project) => {
      // The project as a user has it: the program's files from the repository (linked, so
      // ts-node compiles them in place), and a Pulumi.yaml whose backend the env sets (and,
      // with `projectName`, named as `pulumi new --name` names it).
      for (const f of ["index.ts", "tsconfig.json", "package.json", "node_modules"]) fs.symlinkSync(path.join(REPO, f), path.join(project, f));
      let projectFile = fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8").replace(/^backend:\n {2}url: .*\n/m, "");
      if (projectName !== undefined) projectFile = projectFile.replace(/^name: .*$/m, `name: ${projectName}`);
      fs.writeFileSync(path.join(project, "Pulumi.yaml"), projectFile);
    });
  }

  /**
   * A new stack of another program (a consumer of the package, say): `setUp` fills the
   * project directory; `prepare` runs CLI commands before the stack is created (`pulumi
   * package add`, `pulumi install`).
   */
  static createWith(bin: string, stack: string, env: Readonly<Record<string, string>>, setUp: (project: string) => void, prepare: (s: RealStack) => void = () => undefined): RealStack {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "openclaw-vps-engine-"));
    const s = new RealStack(dir, stack, bin, env);
    fs.mkdirSync(s.project);
    fs.mkdirSync(path.join(dir, "state"));
    setUp(s.project);
    installStandIns(bin, s.env.PULUMI_HOME ?? "", path.join(dir, "plugins"));
    prepare(s);
    s.pulumi(["stack", "init", stack, "--non-interactive"]);
    return s;
  }

  /** Runs the CLI in the project; throws CliError unless it exits 0 (or `allowFailure`). */
  pulumi(args: readonly string[], options: { allowFailure?: boolean; input?: string } = {}): RunResult {
    const r = spawnSync("pulumi", [...args], {
      cwd: this.project,
      env: this.env,
      encoding: "utf8",
      input: options.input ?? "",
      timeout: RUN_TIMEOUT_MS,
      maxBuffer: 256 * 1024 * 1024,
    });
    const result = { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    if (r.error) throw r.error;
    if (result.code !== 0 && !options.allowFailure) throw new CliError(args, result);
    return result;
  }

  /** `pulumi config set`, the value on stdin: as a user types it, never in a command line. */
  configSet(key: string, value: string, secret = false): void {
    const list = listOf(value);
    if (list && !secret) {
      // A list, as the docs tell a user to set one: `pulumi config set --path 'key[0]' ...`
      // (the CLI checks the type Pulumi.yaml declares: JSON text in a string is refused).
      this.pulumi(["config", "rm", key], { allowFailure: true });
      list.forEach((item, i) => this.pulumi(["config", "set", "--path", `${key}[${i}]`, item, "--non-interactive"]));
      return;
    }
    this.pulumi(["config", "set", key, ...(secret ? ["--secret"] : []), "--non-interactive"], { input: value });
  }

  configRemove(key: string): void {
    this.pulumi(["config", "rm", key]);
  }

  /**
   * Sets exactly these keys: what the stack file has and this config lacks is removed, and
   * only values that differ from the last ones set here are set again.
   */
  applyConfig(plain: Readonly<Record<string, string>>, secret: Readonly<Record<string, string>>): void {
    // The stack file as the CLI wrote it (`pulumi config --json` refuses while a required key is unset).
    const file = path.join(this.project, `Pulumi.${this.stack}.yaml`);
    const current = fs.existsSync(file) ? ((YAML.parse(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null)?.config ?? {}) : {};
    for (const key of Object.keys(current)) {
      if (!(key in plain) && !(key in secret)) {
        this.configRemove(key);
        this.applied.delete(key);
      }
    }
    for (const [entries, isSecret] of [[plain, false], [secret, true]] as const) {
      for (const [key, value] of Object.entries(entries)) {
        const tag = `${isSecret ? "secret" : "plain"}:${value}`;
        if (this.applied.get(key) === tag && key in current) continue;
        this.configSet(key, value, isSecret);
        this.applied.set(key, tag);
      }
    }
  }

  private eventLog(): string {
    this.events += 1;
    return path.join(this.dir, `events-${this.events}.jsonl`);
  }

  private run(command: "preview" | "up" | "destroy", extra: readonly string[], allowFailure: boolean): { steps: EngineStep[]; result: RunResult } {
    const log = this.eventLog();
    const args = [command, "--non-interactive", `--event-log=${log}`, ...(command === "preview" ? [] : ["--yes"]), ...extra];
    const result = this.pulumi(args, { allowFailure });
    const lines = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => l.trim() !== "") : [];
    return { steps: stepsOfEvents(lines), result };
  }

  /**
   * The same run without blocking this process (the rehearsal watches the host meanwhile):
   * `watch` is asked every 5 s whether to give up, and a reason stops the CLI.
   */
  async runAsync(command: "preview" | "up" | "destroy", extra: readonly string[], options: { allowFailure?: boolean; watch?: () => string | undefined; timeoutSeconds?: number } = {}): Promise<{ steps: EngineStep[]; result: RunResult }> {
    const log = this.eventLog();
    const args = [command, "--non-interactive", `--event-log=${log}`, ...(command === "preview" ? [] : ["--yes"]), ...extra];
    const result = await new Promise<RunResult>((resolve, reject) => {
      const child = spawn("pulumi", args, { cwd: this.project, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const started = Date.now();
      let stopped = "";
      const timer = setInterval(() => {
        const limit = options.timeoutSeconds ?? RUN_TIMEOUT_MS / 1000;
        const reason = (Date.now() - started) / 1000 > limit ? `the time limit of ${limit} s was reached` : options.watch?.();
        if (reason && !stopped) {
          stopped = reason;
          child.kill("SIGINT");
          setTimeout(() => child.kill("SIGKILL"), 30_000).unref();
        }
      }, 5000);
      child.on("error", (err) => {
        clearInterval(timer);
        reject(err);
      });
      child.on("close", (code) => {
        clearInterval(timer);
        resolve({ code: code ?? -1, stdout, stderr: stderr + (stopped ? `\nstopped: ${stopped}` : "") });
      });
    });
    if (result.code !== 0 && !options.allowFailure) throw new CliError(args, result);
    const lines = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n").filter((l) => l.trim() !== "") : [];
    return { steps: stepsOfEvents(lines), result };
  }

  preview(extra: readonly string[] = [], allowFailure = false) {
    return this.run("preview", extra, allowFailure);
  }
  up(extra: readonly string[] = [], allowFailure = false) {
    return this.run("up", extra, allowFailure);
  }
  destroy(extra: readonly string[] = [], allowFailure = false) {
    return this.run("destroy", extra, allowFailure);
  }

  /**
   * The command stand-in's log since the last call, in order: each run it was asked for
   * (`runs`), and with OPENCLAW_VPS_RUN_COMMANDS each run's result (`done`: 0 or 1, the
   * output or the error).
   */
  takeCommandLog(): CommandLogEntry[] {
    const file = path.join(this.dir, "commands.jsonl");
    if (!fs.existsSync(file)) return [];
    const entries = fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as CommandLogEntry);
    fs.rmSync(file);
    return entries;
  }

  /** The commands the command stand-in was asked to run since the last call, in order. */
  takeCommandRuns(): { name: string; op: string; runs: string }[] {
    return this.takeCommandLog().filter((e): e is CommandLogEntry & { runs: string } => e.runs !== undefined);
  }

  /** What exists in the local cloud, by resource type. */
  cloudCounts(): Record<string, number> {
    return LocalCloud.counts(path.join(this.dir, "cloud"));
  }

  /** The state as stored (`pulumi stack export`). */
  exportState(): string {
    return this.pulumi(["stack", "export"]).stdout;
  }

  output(name: string, showSecrets = false): string {
    return this.pulumi(["stack", "output", name, ...(showSecrets ? ["--show-secrets"] : [])]).stdout.trim();
  }

  dispose(): void {
    // Stop nothing: every CLI run has ended. Only the scratch directory remains.
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The CLI's version line, for summaries. */
export function cliVersion(bin: string): string {
  return execFileSync(path.join(bin, "pulumi"), ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } }).trim();
}

/**
 * Installs the provider stand-ins into a PULUMI_HOME's plugin cache, each as the plugin of
 * its npm SDK's version (`pulumi plugin install resource NAME VERSION --file`), so the CLI
 * finds every plugin the program and the package need without downloading anything.
 */
export function installStandIns(bin: string, home: string, dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const pkg of PROVIDER_PACKAGES) {
    const file = path.join(dir, `pulumi-resource-${pkg}`);
    fs.writeFileSync(
      file,
      // Compiled with this repository's tsconfig, whatever project the CLI runs in.
      `#!/bin/sh\nTS_NODE_PROJECT=${JSON.stringify(path.join(REPO, "tsconfig.json"))} exec node -r ${JSON.stringify(path.join(REPO, "node_modules", "ts-node", "register", "transpile-only"))} ${JSON.stringify(path.join(TOOLCHAIN, "providers", "standin.ts"))} ${pkg} "$@"\n`,
      { mode: 0o755 },
    );
    const r = cli(bin, ["plugin", "install", "resource", pkg, sdkVersion(pkg), "--file", file], dir, home);
    if (r.code !== 0) throw new Error(`pulumi plugin install ${pkg}: ${r.stderr}`);
  }
}

/** A directory holding an `ssh` that answers as ssh does when no route leads to the host (exit 255). */
function offTailnetSsh(dir: string): string {
  const bin = path.join(dir, "off-tailnet-bin");
  fs.mkdirSync(bin, { recursive: true });
  const script = [
    "#!/bin/sh",
    "# ssh on a machine off the tailnet: no route to any server (exit 255, as ssh's own failures).",
    'host=""',
    'for a in "$@"; do case "$a" in *@*) host=${a#*@} ;; esac; done',
    'echo "ssh: connect to host $host port 22: Network is unreachable" >&2',
    "exit 255",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(bin, "ssh"), script, { mode: 0o755 });
  return bin;
}

/**
 * The environment of a CLI run in a scratch directory `dir`: the built CLI first on PATH, its
 * own PULUMI_HOME (`dir/home`) and file backend (`dir/state`), a passphrase, no update check,
 * no plugin downloads, and no PULUMI_CONFIG from the caller's environment.
 */
export function scratchCliEnv(bin: string, dir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: [bin, process.env.PATH ?? ""].join(path.delimiter),
    PULUMI_HOME: path.join(dir, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "the test's passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_CONFIG: undefined,
  };
}

/** One CLI run outside any stack, with a scratch PULUMI_HOME: for `pulumi package ...`. */
export function cli(bin: string, args: readonly string[], cwd: string, home: string): RunResult {
  const r = spawnSync(path.join(bin, "pulumi"), [...args], {
    cwd,
    env: { ...process.env, PATH: [bin, process.env.PATH ?? ""].join(path.delimiter), PULUMI_HOME: home, PULUMI_SKIP_UPDATE_CHECK: "true", PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true" },
    encoding: "utf8",
    input: "",
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}

/** A JSON list of strings, as the rehearsal's stack values carry lists; undefined for anything else. */
function listOf(value: string): string[] | undefined {
  if (!value.startsWith("[")) return undefined;
  try {
    const parsed = JSON.parse(value) as unknown;
    return Array.isArray(parsed) && parsed.every((x) => typeof x === "string") ? parsed : undefined;
  } catch {
    return undefined;
  }
}
