import { existsSync, readdirSync, statSync } from "fs";
import { join } from "path";
import { KEYS } from "../../config/keys";
import { LOCK_FILES, OPENCLAW_VERSIONS, lockCounts, lockDir, lockProblems, readLockFile, renderLockPackageJson } from "../../gateway/locks";
import { REFUSING_OPENCLAW_VERSION } from "../../tools/lib/releases";

const LOCKS = join(__dirname, "../../gateway/locks");
const real = (v: string) => ({ json: readLockFile(v, "package.json"), lock: readLockFile(v, "package-lock.json") });

/** A real lock, changed by `edit`, as text. */
function edited(version: string, edit: (lock: { packages: Record<string, Record<string, unknown>>; lockfileVersion: number }) => void): string {
  const lock = JSON.parse(real(version).lock) as { packages: Record<string, Record<string, unknown>>; lockfileVersion: number };
  edit(lock);
  return JSON.stringify(lock, null, 2);
}

describe("the shipped locks", () => {
  it.each(OPENCLAW_VERSIONS)("%s: a lock is checked in, pins exactly that release, and holds an integrity for every package", (v) => {
    for (const f of LOCK_FILES) expect(existsSync(join(lockDir(v), f))).toBe(true);
    const { json, lock } = real(v);
    expect(lockProblems(v, json, lock)).toEqual([]);
    // OpenClaw's tree: hundreds of packages, not an empty or partial lock.
    expect(lockCounts(lock).packages).toBeGreaterThan(300);
  });

  it("covers the releases the project names: the default and the one the rollback checks switch to", () => {
    expect(OPENCLAW_VERSIONS).toContain(KEYS.openclawVersion.default);
    expect(OPENCLAW_VERSIONS).toContain(REFUSING_OPENCLAW_VERSION);
  });

  it("holds no lock for a release the config refuses", () => {
    const dirs = readdirSync(LOCKS).filter((name) => statSync(join(LOCKS, name)).isDirectory());
    expect(dirs.sort()).toEqual([...OPENCLAW_VERSIONS].sort());
  });
});

describe("lockProblems", () => {
  const v = KEYS.openclawVersion.default;
  const { json } = real(v);

  it("refuses a root that pins another release, or more than OpenClaw", () => {
    expect(lockProblems(v, renderLockPackageJson("2026.9.5"), real(v).lock)).toEqual([`package.json is not the one for openclaw@${v} (npm run lock:openclaw writes it)`]);
    expect(lockProblems(v, json, edited(v, (l) => (l.packages[""].dependencies = { openclaw: "^2026.9.0" })))).toEqual([
      `the root depends on {"openclaw":"^2026.9.0"}, not exactly {"openclaw":"${v}"}`,
    ]);
    expect(lockProblems(v, json, edited(v, (l) => (l.packages[""].dependencies = { openclaw: v, lodash: "4.17.21" })))).toHaveLength(1);
    expect(lockProblems(v, json, edited(v, (l) => (l.packages["node_modules/openclaw"].version = "2026.9.5")))).toEqual([`node_modules/openclaw is 2026.9.5, not ${v}`]);
  });

  it("refuses a package without a sha512 integrity, and one fetched from an address", () => {
    const ws = "node_modules/ws";
    expect(lockProblems(v, json, edited(v, (l) => delete l.packages[ws].integrity))).toEqual([`${ws} has no sha512 integrity`]);
    expect(lockProblems(v, json, edited(v, (l) => (l.packages[ws].integrity = "sha1-aGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=")))).toEqual([`${ws} has no sha512 integrity`]);
    expect(lockProblems(v, json, edited(v, (l) => (l.packages[ws].resolved = "git+ssh://git@example.com/ws.git")))).toEqual([
      `${ws} names an address (git+ssh://git@example.com/ws.git): a lock holds registry packages only`,
    ]);
  });

  it("accepts a bundled package without its own integrity: its parent's tarball carries it", () => {
    const bundled = Object.entries((JSON.parse(real(v).lock) as { packages: Record<string, { inBundle?: boolean; integrity?: string }> }).packages).filter(([, e]) => e.inBundle);
    expect(bundled.length).toBeGreaterThan(0);
    expect(bundled.every(([, e]) => e.integrity === undefined)).toBe(true);
  });

  it("refuses a dev dependency, an old lockfile format and something that is not a lock", () => {
    expect(lockProblems(v, json, edited(v, (l) => (l.packages["node_modules/ws"].dev = true)))).toEqual([
      "node_modules/ws is a dev dependency, which npm ci --omit=dev would leave out",
    ]);
    expect(lockProblems(v, json, edited(v, (l) => (l.lockfileVersion = 2)))).toEqual(["lockfileVersion is 2, not 3"]);
    expect(lockProblems(v, json, "{")).toEqual(["package-lock.json is not a lock file with packages"]);
  });
});
