/** Runs `npm run plan` as a user would: a separate process, arguments and exit code. */
import { execFile } from "child_process";
import { mkdtempSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";

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
      [join(ROOT, "node_modules/ts-node/dist/bin.js"), "--transpile-only", join(ROOT, "scripts/plan.ts"), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
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
