/** Runs the real host tools; a missing tool fails the test rather than skipping it. */
import { spawnSync } from "child_process";
import { limitMs, limits } from "../limits";

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): ToolResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: options.env ?? process.env, timeout: options.timeoutMs ?? limitMs(30) });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); the conformance checks need it installed`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command in a private mount namespace after `setup` (shell text) has prepared it. */
export function inPrivateMounts(setup: string, cmd: readonly string[]): ToolResult {
  return run("unshare", ["-m", "--propagation", "private", "bash", "-c", `set -e; ${setup}; exec "$@"`, "private", ...cmd]);
}

/**
 * Runs one of the conformance shell scripts, shows what it printed (pass or fail), and
 * returns its `RESULT name=value` lines as a record. A failed script fails the test.
 */
export function runResultScript(script: string, args: readonly string[], timeoutMs = limitMs(limits.testSeconds.conformance)): Record<string, string> {
  const r = run("bash", [script, ...args], { timeoutMs });
  process.stdout.write(r.stdout);
  if (r.code !== 0) throw new Error(`${script} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return Object.fromEntries(
    r.stdout
      .split("\n")
      .filter((l) => l.startsWith("RESULT "))
      .map((l) => {
        const [key, ...rest] = l.slice("RESULT ".length).split("=");
        return [key, rest.join("=")];
      }),
  );
}
