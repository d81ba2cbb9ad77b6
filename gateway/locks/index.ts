/**
 * The OpenClaw releases a server can install, and for each the exact dependency tree it
 * installs: a lock (package.json and package-lock.json) checked in under
 * gateway/locks/<version>/, written by `npm run lock:openclaw`. The files step ships every
 * lock; install.sh runs `npm ci` from the configured version's, so two servers on one
 * version run the same tree however far apart they were deployed, and npm checks every
 * tarball against the integrity the lock holds.
 */
import { readFileSync } from "fs";
import { join } from "path";

/** Every release `openclawVersion` accepts; each has its lock beside this file. */
export const OPENCLAW_VERSIONS: readonly string[] = ["2026.9.5", "2026.9.6"];

/** A lock's two files, as `npm ci` reads them. */
export const LOCK_FILES = ["package.json", "package-lock.json"] as const;
export type LockFile = (typeof LOCK_FILES)[number];

/** Where a version's lock is checked in. */
export function lockDir(version: string): string {
  return join(__dirname, version);
}

export function readLockFile(version: string, file: LockFile): string {
  return readFileSync(join(lockDir(version), file), "utf8");
}

/** A lock's root package: nothing but the one exact OpenClaw release. */
export function renderLockPackageJson(version: string): string {
  return `${JSON.stringify({ name: `openclaw-${version}`, private: true, dependencies: { openclaw: version } }, null, 2)}\n`;
}

interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly inBundle?: boolean;
  readonly link?: boolean;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
}

interface PackageLock {
  readonly lockfileVersion?: number;
  readonly packages?: Readonly<Record<string, LockEntry>>;
}

const INTEGRITY = /^sha512-[A-Za-z0-9+/]{86}==$/;

function parseLock(packageLock: string): PackageLock | undefined {
  try {
    return JSON.parse(packageLock) as PackageLock;
  } catch {
    return undefined;
  }
}

/**
 * What is wrong with a version's lock, one line per problem; empty when it pins exactly
 * that release and every package it installs by name, version and integrity.
 */
export function lockProblems(version: string, packageJson: string, packageLock: string): string[] {
  const problems: string[] = [];
  if (packageJson !== renderLockPackageJson(version)) problems.push(`package.json is not the one for openclaw@${version} (npm run lock:openclaw writes it)`);
  const lock = parseLock(packageLock);
  if (!lock?.packages) return [...problems, "package-lock.json is not a lock file with packages"];
  if (lock.lockfileVersion !== 3) problems.push(`lockfileVersion is ${String(lock.lockfileVersion)}, not 3`);
  const root = JSON.stringify(lock.packages[""]?.dependencies ?? {});
  if (root !== JSON.stringify({ openclaw: version })) problems.push(`the root depends on ${root}, not exactly {"openclaw":"${version}"}`);
  const openclaw = lock.packages["node_modules/openclaw"];
  if (openclaw?.version !== version) problems.push(`node_modules/openclaw is ${String(openclaw?.version)}, not ${version}`);
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path === "") continue;
    if (entry.link) problems.push(`${path} is a link, not a package`);
    if (entry.dev) problems.push(`${path} is a dev dependency, which npm ci --omit=dev would leave out`);
    if (!entry.version) problems.push(`${path} has no version`);
    // By name, version and integrity only: the server's registry serves it, and an address
    // (a git repository, a tarball elsewhere) would be a source the lock does not vouch for.
    if (entry.resolved !== undefined) problems.push(`${path} names an address (${entry.resolved}): a lock holds registry packages only`);
    // A bundled package comes inside its parent's tarball, which the parent's integrity covers.
    if (entry.inBundle) continue;
    if (!entry.integrity || !INTEGRITY.test(entry.integrity)) problems.push(`${path} has no sha512 integrity`);
  }
  return problems;
}

/** How many packages a lock names, and how many of those are optional (other platforms, or features). */
export function lockCounts(packageLock: string): { readonly packages: number; readonly optional: number } {
  const entries = Object.entries(parseLock(packageLock)?.packages ?? {}).filter(([path]) => path !== "");
  return { packages: entries.length, optional: entries.filter(([, e]) => e.optional).length };
}
