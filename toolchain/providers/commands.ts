/**
 * Runs a `command:local:Command` or `command:remote:Command` as pulumi-command 1.2.1 runs it
 * (provider/pkg/provider/local/commandOutputs.go, remote/commandOutputs.go,
 * remote/connection.go at v1.2.1), for the command stand-in and for `npm run rehearse`:
 *
 * - local: `/bin/sh -c <command>` (or the `interpreter`), in `dir` or the provider's working
 *   directory (the project), with this process's environment plus `environment`, plus
 *   PULUMI_COMMAND_STDOUT/STDERR from the previous outputs unless `addPreviousOutputInEnv` is
 *   false; `stdin` written when non-empty;
 * - remote: one SSH session per command, as `connection.user` (default root) with the
 *   private key, the command text sent as is (no PTY), `stdin` written and closed; any host
 *   key accepted unless `hostKey` is set, then that key alone and only its algorithm;
 *   `environment` is sent with SetEnv, which a server without AcceptEnv refuses, and the
 *   command then fails (as this project's sshd refuses it, so does this);
 * - outputs: stdout and stderr with one trailing newline trimmed; on failure the error is
 *   pulumi-command's text: `<exit>: running "<command>":\n<stdout and stderr>`.
 *
 * The SSH session is the OpenSSH client (`-F /dev/null`: no user configuration), not Go's
 * x/crypto/ssh: `ConnectionAttempts` retries the TCP connect dialErrorLimit + 1 times with
 * `perDialTimeout` each, where pulumi-command retries the whole handshake with a backoff.
 * `netns` runs everything in a network namespace (the operator's side of the rehearsal's
 * tailnet, whose /etc/netns hosts file names the server), as if the operator's machine sat there.
 */
import { spawn } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { pinnedSshOptions } from "../../components/local/ssh-pin";

/** pulumi-command's connection settings, after its defaults (Connection.Annotate). */
export interface Connection {
  readonly host: string;
  readonly user: string;
  readonly privateKey: string;
  readonly port: number;
  /** Retries after the first dial: dialErrorLimit + 1 attempts in all (default 10). */
  readonly dialErrorLimit: number;
  /** Seconds per dial (default 15). */
  readonly perDialTimeout: number;
  /** An authorized_keys line the host's key must equal; none means any key is accepted. */
  readonly hostKey?: string;
}

/** The inputs of either command type that decide how it runs. */
export interface CommandSpec {
  readonly kind: "local" | "remote";
  readonly stdin?: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** Local only: the working directory; the provider's own when unset. */
  readonly dir?: string;
  /** Local only: the interpreter; `/bin/sh -c` when unset. */
  readonly interpreter?: readonly string[];
  /** Default true: the previous stdout and stderr reach the command's environment. */
  readonly addPreviousOutputInEnv?: boolean;
  readonly connection?: Connection;
}

export interface CommandOutputs {
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** A network namespace to run in (`ip netns exec`). */
  readonly netns?: string;
  /** The provider's working directory, for local commands without `dir`. */
  readonly cwd?: string;
  /** A bound on the whole run, in seconds (pulumi-command has none; a test must). */
  readonly timeoutSeconds?: number;
  /** Each line of stdout and stderr, as pulumi-command streams it to the engine's log. */
  readonly onLine?: (line: string) => void;
}

/** A failed run, with pulumi-command's error text as the message. */
export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly outputs: CommandOutputs,
  ) {
    super(message);
  }
}

const trimOne = (s: string) => (s.endsWith("\n") ? s.slice(0, -1) : s);

/** The connection from a command's `connection` input, with pulumi-command's defaults. */
export function connectionOf(raw: Record<string, unknown> | undefined, name: string): Connection {
  if (!raw || typeof raw.host !== "string" || typeof raw.privateKey !== "string") {
    throw new Error(`${name}: a remote command without a host and a private key`);
  }
  return {
    host: raw.host,
    user: typeof raw.user === "string" ? raw.user : "root",
    privateKey: raw.privateKey,
    port: typeof raw.port === "number" ? raw.port : 22,
    dialErrorLimit: typeof raw.dialErrorLimit === "number" ? raw.dialErrorLimit : 10,
    perDialTimeout: typeof raw.perDialTimeout === "number" ? raw.perDialTimeout : 15,
    ...(typeof raw.hostKey === "string" ? { hostKey: raw.hostKey } : {}),
  };
}

/**
 * The OpenSSH client's arguments for one remote command: no user or system configuration,
 * the key alone, no agent, and either the pinned host key only or any key.
 */
export function sshArgs(c: Connection, keyFile: string, knownHostsDir: string, command: string): string[] {
  const hostKeyOptions = c.hostKey
    ? pinnedSshOptions(knownHostsDir, c.host, c.hostKey)
    : ["-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no"];
  return [
    "-F", "/dev/null", "-T", "-i", keyFile, "-p", String(c.port),
    "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "LogLevel=ERROR",
    "-o", `ConnectTimeout=${c.perDialTimeout}`, "-o", `ConnectionAttempts=${c.dialErrorLimit + 1}`,
    ...hostKeyOptions,
    `${c.user}@${c.host}`, command,
  ];
}

/** OpenSSH's own exit code for a failure to connect or authenticate. */
const SSH_FAILED = 255;

/**
 * Runs `command` as pulumi-command would on create, update or delete. `previous` is the
 * stdout and stderr the resource's state holds (none on create).
 */
export async function runCommand(command: string, spec: CommandSpec, previous: CommandOutputs | undefined, options: RunOptions = {}): Promise<CommandOutputs> {
  const previousEnv: Record<string, string> = {};
  if (spec.addPreviousOutputInEnv !== false && previous) {
    if (previous.stdout !== "") previousEnv.PULUMI_COMMAND_STDOUT = previous.stdout;
    if (previous.stderr !== "") previousEnv.PULUMI_COMMAND_STDERR = previous.stderr;
  }
  const wrap = (argv: string[]) => (options.netns ? ["ip", "netns", "exec", options.netns, ...argv] : argv);

  if (spec.kind === "local") {
    const interpreter = spec.interpreter && spec.interpreter.length > 0 ? [...spec.interpreter] : ["/bin/sh", "-c"];
    const env = { ...process.env, ...(spec.environment ?? {}), ...previousEnv };
    const r = await spawnCollect(wrap([...interpreter, command]), { cwd: spec.dir ?? options.cwd ?? process.cwd(), env, stdin: spec.stdin, timeoutSeconds: options.timeoutSeconds, onLine: options.onLine });
    if (r.code !== 0) throw new CommandFailed(`${r.code === null ? `signal: ${r.signal ?? "killed"}` : `exit status ${r.code}`}: running ${JSON.stringify(command)}:\n${r.both}`, r);
    return { stdout: trimOne(r.stdout), stderr: trimOne(r.stderr) };
  }

  const c = spec.connection;
  if (!c) throw new Error("a remote command without a connection");
  // Session.Setenv fails unless sshd's AcceptEnv lists the name; this project's sshd lists
  // none (cloud-init/sshd.ts), and pulumi-command then stops.
  const setenv = Object.keys(spec.environment ?? {});
  if (setenv.length > 0) throw new CommandFailed(`could not set environment variable ${JSON.stringify(setenv[0])}: ssh: setenv failed`, { stdout: "", stderr: "" });
  const dir = mkdtempSync(join(tmpdir(), "openclaw-vps-ssh-"));
  try {
    const keyFile = join(dir, "key");
    writeFileSync(keyFile, c.privateKey.endsWith("\n") ? c.privateKey : `${c.privateKey}\n`, { mode: 0o600 });
    const r = await spawnCollect(wrap(["ssh", ...sshArgs(c, keyFile, dir, command)]), { cwd: options.cwd ?? process.cwd(), env: process.env, stdin: spec.stdin ?? "", timeoutSeconds: options.timeoutSeconds, onLine: options.onLine });
    if (r.code === SSH_FAILED && /^(ssh: |Host key verification failed|.*Permission denied|.*Connection (refused|timed out|closed))/m.test(r.stderr)) {
      throw new CommandFailed(`after ${c.dialErrorLimit} failed attempts: ${r.stderr.trim()}`, r);
    }
    if (r.code !== 0) throw new CommandFailed(`${r.code === null ? "wait: remote command exited without exit status or exit signal" : `Process exited with status ${r.code}`}: running ${JSON.stringify(command)}:\n${r.both}`, r);
    return { stdout: trimOne(r.stdout), stderr: trimOne(r.stderr) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Collected extends CommandOutputs {
  readonly code: number | null;
  readonly signal: string | null;
  /** stdout and stderr in the order they arrived. */
  readonly both: string;
}

function spawnCollect(
  argv: string[],
  o: { cwd: string; env: NodeJS.ProcessEnv; stdin?: string; timeoutSeconds?: number; onLine?: (line: string) => void },
): Promise<Collected> {
  return new Promise((resolve, reject) => {
    // In the provider's process group, as pulumi-command's commands are: the engine's end of
    // the provider (a kill of its group) ends them too.
    const child = spawn(argv[0], argv.slice(1), { cwd: o.cwd, env: o.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let both = "";
    let partial = "";
    const line = (chunk: string) => {
      if (!o.onLine) return;
      partial += chunk;
      const lines = partial.split("\n");
      partial = lines.pop() ?? "";
      for (const l of lines) o.onLine(l);
    };
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      both += d.toString();
      line(d.toString());
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      both += d.toString();
      line(d.toString());
    });
    let timedOut = false;
    const timer = o.timeoutSeconds
      ? setTimeout(() => {
          timedOut = true;
          both += `\n[stopped: the time limit of ${o.timeoutSeconds} s was reached]\n`;
          child.kill("SIGKILL");
        }, o.timeoutSeconds * 1000)
      : undefined;
    child.on("error", (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    let finished = false;
    const done = (code: number | null, signal: string | null) => {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      if (partial !== "" && o.onLine) o.onLine(partial);
      resolve({ code, signal, stdout, stderr, both });
    };
    child.on("close", done);
    // Stopped at its time limit: what it started may still hold the pipes; do not wait for them.
    child.on("exit", (code, signal) => {
      if (!timedOut) return;
      child.stdout.destroy();
      child.stderr.destroy();
      done(code, signal);
    });
    // A command that never reads its stdin must not fail the run.
    child.stdin.on("error", () => undefined);
    if (o.stdin !== undefined && o.stdin.length > 0) child.stdin.write(o.stdin);
    child.stdin.end();
  });
}
