/**
 * The Node.js range package.json states is true for everything `npm ci` installs: every
 * package in the lock accepts every Node version in it (npm warns EBADENGINE otherwise).
 */
import { readFileSync } from "fs";
import { join } from "path";
import { subset, validRange } from "semver";

const ROOT = join(__dirname, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe("the stated Node.js range", () => {
  it("is a range, and the lock's root states the same", () => {
    expect(validRange(pkg.engines.node)).not.toBeNull();
    expect((lock.packages[""].engines as { node?: string }).node).toBe(pkg.engines.node);
  });

  it("is accepted by every package the lock installs", () => {
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== "")
      .map(([path, p]) => ({ path, version: p.version, node: Array.isArray(p.engines) ? undefined : p.engines?.node }))
      .filter((p) => p.node !== undefined && !subset(pkg.engines.node, p.node))
      .map((p) => `${p.path}@${p.version} wants node ${p.node}`);
    expect(refusing).toEqual([]);
  });

  it("is what the README says", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8")).toContain("Node.js 20.19 or a later 20, 22.13 or a later 22, or 24 and newer");
  });
});
