/**
 * The pieces of `npm run rehearse`: running tools with bounded time, and the test host and
 * its namespaces (rehearsal/machine.sh). The program's commands are run by the real engine
 * through the command stand-in (toolchain/providers/commands.ts).
 */
import { spawn, spawnSync } from "child_process";
import { appendFileSync } from "fs";
import { join } from "path";

export const REPO = join(__dirname, "..", "..");
const MACHINE = join(REPO, "rehearsal", "machine.sh");

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs a program with a time limit; the log file gets the command and what it printed. */
export function runTool(
  log: string,
  cmd: string,
  args: readonly string[],
  options: { input?: string; timeoutSeconds?: number; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Ran {
  const started = Date.now();
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    input: options.input ?? "",
    timeout: (options.timeoutSeconds ?? 300) * 1000,
    killSignal: "SIGKILL",
    cwd: options.cwd ?? REPO,
    env: options.env ?? process.env,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (Date.now() - started) / 1000;
  const code = r.error ? -1 : (r.status ?? -1);
  const timedOut = r.error && (r.error as NodeJS.ErrnoException).code === "ETIMEDOUT";
  appendFileSync(
    log,
    `\n$ ${cmd} ${args.map((a) => (a.length > 200 ? `${a.slice(0, 200)}…` : a)).join(" ")}\n` +
      `[exit ${code}${timedOut ? ", time limit reached" : ""}, ${seconds.toFixed(1)} s]\n${r.stdout ?? ""}${r.stderr ? `[stderr]\n${r.stderr}` : ""}`,
  );
  return { code, stdout: r.stdout ?? "", stderr: (r.stderr ?? "") + (r.error ? `\n${r.error.message}` : ""), seconds };
}

/** The test host and its namespaces, for one rehearsal run. */
export class Machine {
  constructor(
    readonly work: string,
    readonly run: string,
    readonly log: string,
  ) {}

  private machine(args: readonly string[], timeoutSeconds = 120): Ran {
    return runTool(this.log, "bash", [MACHINE, args[0], this.work, ...args.slice(1)], { timeoutSeconds });
  }

  /** `coding`: the settings file of the coder's far ends (standins/coding.py), to serve them too. */
  up(build: string, tailnetHost: string, names: readonly string[], coding?: string): void {
    must(this.machine(["up", this.run, build, tailnetHost, names.join(","), ...(coding ? [coding] : [])]), "setting up the namespaces");
  }

  boot(root: string, npmCache: string): void {
    must(this.machine(["boot", this.run, root, npmCache]), "booting the host");
  }

  stop(): void {
    this.machine(["stop"], 120);
  }

  down(): void {
    this.machine(["down", this.run], 180);
  }

  /** A command inside the booted host, as root. */
  exec(args: readonly string[], options: { input?: string; timeoutSeconds?: number } = {}): Ran {
    return runTool(this.log, "bash", [MACHINE, "exec", this.work, ...args], options);
  }

  /** Shell text inside the host; its stdout, trimmed, or a failure naming `what`. */
  sh(script: string, what: string, timeoutSeconds = 120): string {
    const r = this.exec(["/bin/sh", "-c", script], { timeoutSeconds });
    must(r, what);
    return r.stdout.trim();
  }

  /** A program in one of the namespaces: inet, host or tail. */
  inNamespace(ns: "inet" | "host" | "tail", cmd: string, args: readonly string[], options: { input?: string; timeoutSeconds?: number; env?: NodeJS.ProcessEnv } = {}): Ran {
    return runTool(this.log, "ip", ["netns", "exec", `${this.run}-${ns}`, cmd, ...args], options);
  }
}

export function must(r: Ran, what: string): Ran {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${(r.stdout + r.stderr).trim().split("\n").slice(-25).join("\n")}`);
  return r;
}

/**
 * Removes the host and its namespaces once this process is gone, however it ended (killed,
 * interrupted, crashed): a detached watcher in its own session.
 */
export function cleanUpAfter(machine: Machine): void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; bash ${shellQuote(MACHINE)} down ${shellQuote(machine.work)} ${shellQuote(machine.run)}`;
  spawn("setsid", ["bash", "-c", script], { detached: true, stdio: "ignore" }).unref();
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
