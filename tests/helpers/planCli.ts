/**
 * Runs `npm run plan` as a user would: a separate process, arguments and exit code
 * (`plan`); or the same command in this process (`planHere`): its code, exit code and
 * messages without a Node.js and TypeScript start per call, in a clean environment as the
 * process gets. The process boundary itself is tested with `plan` (tests/commands/plan.test.ts).
 */
import { execFile } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { limitMs } from "../limits";

export const ROOT = join(__dirname, "../..");

export interface PlanResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function plan(...args: string[]): Promise<PlanResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "commands/plan.ts"), ...args],
      { cwd: ROOT, env: planEnv(), timeout: limitMs(30) },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The environment each plan runs in: PATH and HOME, and a Pulumi home of its own, so a
 * stack selected on the developer's machine (`pulumi stack select`) never changes which
 * stack a test plans.
 */
function planEnv(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", PULUMI_HOME: tempDir("plan-pulumi-home-"), ...extra };
}

export async function planHere(...args: string[]): Promise<PlanResult> {
  return planIn(ROOT, {}, ...args);
}

/** The plan of the project in `root` (a copy `pulumi new` made, say), in this process, with `env` added. */
export async function planIn(root: string, env: Readonly<Record<string, string>>, ...args: string[]): Promise<PlanResult> {
  // Loaded on first use: the conformance checks use only `plan`.
  const { runPlan } = await import("../../commands/plan");
  const stdout: string[] = [];
  const stderr: string[] = [];
  const saved = process.env;
  process.env = planEnv(env);
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const code = await runPlan(args, { out: (t) => stdout.push(`${t}\n`), err: (t) => stderr.push(`${t}\n`) }, root);
    return { code, stdout: stdout.join(""), stderr: stderr.join("") };
  } finally {
    process.env = saved;
    process.chdir(cwd);
  }
}

export function tempDir(prefix = "openclaw-vps-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a stack settings file from `namespace:key` → YAML value text. */
export function writeStackFile(entries: Readonly<Record<string, string>>): string {
  const path = join(tempDir(), "Pulumi.test.yaml");
  const lines = ["config:", ...Object.entries(entries).map(([k, v]) => `  ${k}: ${v}`)];
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}
