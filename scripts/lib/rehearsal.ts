/**
 * The pieces of `npm run rehearse`: running tools with bounded time, the test host and its
 * namespaces (rehearsal/machine.sh), and running the program's commands the way
 * pulumi-command does: `create` with `/bin/sh -c` on this machine for local commands, and
 * over a fresh SSH connection with the registered connection settings for remote ones.
 */
import { spawn, spawnSync } from "child_process";
import { appendFileSync, writeFileSync } from "fs";
import { dirname, join } from "path";
import { Step } from "./steps";
import { pinnedSshOptions } from "../ssh-pin";

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

  up(build: string, tailnetHost: string, names: readonly string[]): void {
    must(this.machine(["up", this.run, build, tailnetHost, names.join(",")]), "setting up the namespaces");
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
 * Runs one command of the program as pulumi-command 1.2.1 does. Local: `/bin/sh -c` in the
 * project directory (here from the tailnet side, where the operator's machine is). Remote:
 * a new SSH session per command, the command text sent as is (no PTY), stdin written and
 * closed, any host key accepted unless `hostKey` is set, dialErrorLimit + 1 attempts with
 * perDialTimeout each (remote/connection.go, remote/commandOutputs.go).
 */
export function runStep(machine: Machine, step: Step, command: string, keyFile: string): Ran {
  const limit = step.create.includes("wait-for-host") ? 1000 : 1800;
  if (step.kind === "local") {
    return machine.inNamespace("tail", "/bin/sh", ["-c", command], { input: step.stdin, timeoutSeconds: limit });
  }
  const c = step.connection;
  if (!c) throw new Error(`${step.name}: remote without a connection`);
  if (step.environment && Object.keys(step.environment).length > 0) {
    // sshd accepts no SetEnv here (no AcceptEnv): pulumi-command would fail the same way.
    return { code: 1, stdout: "", stderr: `could not set environment variable "${Object.keys(step.environment)[0]}": ssh: setenv failed`, seconds: 0 };
  }
  writeFileSync(keyFile, c.privateKey, { mode: 0o600 });
  // A pinned host key is checked as the local scripts check it (scripts/ssh-pin.js).
  const hostKeyOptions = c.hostKey
    ? pinnedSshOptions(dirname(keyFile), c.host, c.hostKey)
    : ["-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no"];
  const args = [
    "-F", "/dev/null", "-T", "-i", keyFile, "-p", String(c.port),
    "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
    "-o", `ConnectTimeout=${c.perDialTimeout}`, "-o", `ConnectionAttempts=${c.dialErrorLimit + 1}`,
    ...hostKeyOptions,
    `${c.user}@${c.host}`, command,
  ];
  return machine.inNamespace("tail", "ssh", args, { input: step.stdin ?? "", timeoutSeconds: limit });
}

/**
 * A local step run in the background while `watch` is asked every 5 s whether to give up
 * (the host's first boot has failed, say): then the step is stopped and fails with that.
 */
export function runLocalWatched(machine: Machine, command: string, limitSeconds: number, watch: () => string | undefined): Promise<Ran> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn("ip", ["netns", "exec", `${machine.run}-tail`, "/bin/sh", "-c", command], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const finish = (code: number, extra = "") => {
      clearInterval(timer);
      const seconds = (Date.now() - started) / 1000;
      appendFileSync(machine.log, `
$ (local) ${command}
[exit ${code}, ${seconds.toFixed(1)} s]
${stdout}${stderr}${extra}
`);
      resolve({ code, stdout, stderr: stderr + extra, seconds });
    };
    const timer = setInterval(() => {
      const reason = (Date.now() - started) / 1000 > limitSeconds ? `time limit of ${limitSeconds} s reached` : watch();
      if (reason) {
        child.removeAllListeners("exit");
        child.kill("SIGKILL");
        finish(1, `\nstopped: ${reason}`);
      }
    }, 5000);
    child.on("exit", (code) => finish(code ?? 1));
  });
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

/** pulumi-command's failure text: the exit, the command, then what it printed. */
export function failureText(r: Ran, command: string): string {
  return `Process exited with status ${r.code}: running ${JSON.stringify(command)}:\n${(r.stdout + r.stderr).trim()}`;
}
