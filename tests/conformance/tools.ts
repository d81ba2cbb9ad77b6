/** Runs the real host tools; a missing tool fails the test rather than skipping it. */
import { spawnSync } from "child_process";

export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(cmd: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): ToolResult {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000 });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); the conformance checks need it installed`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command in a private mount namespace after `setup` (shell text) has prepared it. */
export function inPrivateMounts(setup: string, cmd: readonly string[]): ToolResult {
  return run("unshare", ["-m", "--propagation", "private", "bash", "-c", `set -e; ${setup}; exec "$@"`, "private", ...cmd]);
}
