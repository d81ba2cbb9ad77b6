/**
 * Which stack `npm run plan` plans when no --stack is given: the one selected with
 * `pulumi stack select`, as `pulumi stack --show-name` reports it, when the Pulumi CLI is
 * there and a stack is selected; `prod` otherwise. The CLI reads its selection from its
 * workspace settings (under PULUMI_HOME) for the project in `root`, without a passphrase.
 */
import { spawnSync } from "child_process";

export const DEFAULT_STACK = "prod";

export interface StackChoice {
  readonly name: string;
  /** Why this stack, for the plan's heading. */
  readonly why: string;
}

const STACK_NAME = /^[A-Za-z0-9_.-]+$/;

export function selectedStack(root: string, env: Readonly<Record<string, string | undefined>> = process.env): StackChoice {
  const run = spawnSync("pulumi", ["stack", "--show-name", "--non-interactive"], {
    cwd: root,
    env: { ...env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    encoding: "utf8",
    // It answers in well under a second; a CLI that hangs (a backend that does not answer) is not waited for.
    timeout: 30_000,
  });
  if (run.error) {
    const code = (run.error as NodeJS.ErrnoException).code;
    return { name: DEFAULT_STACK, why: code === "ENOENT" ? "the default: no Pulumi CLI on PATH to ask which stack is selected" : `the default: the Pulumi CLI did not answer (${code ?? run.error.message})` };
  }
  const name = run.stdout.trim();
  if (run.status === 0 && STACK_NAME.test(name)) return { name, why: "the stack selected with pulumi stack select" };
  // "error: no stack selected; please use `pulumi stack select` ...", or a backend not logged in to.
  const said = (run.stderr.trim().split("\n")[0] ?? "").replace(/^error: /, "");
  return { name: DEFAULT_STACK, why: `the default: the Pulumi CLI selects none (${said || `exit ${String(run.status)}`})` };
}
