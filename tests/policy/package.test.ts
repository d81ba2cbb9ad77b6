/**
 * policy/package.json is what a published policy pack brings: Pulumi installs the pack's
 * dependencies from it alone (`pulumi policy publish`, then the pack runs wherever it is
 * enforced). So it names every package the pack imports and what runs the pack from its
 * TypeScript source, each at the exact version this repository's lock resolves: the versions
 * the tests here run the pack with.
 */
import { builtinModules } from "module";
import { readFileSync, readdirSync } from "fs";
import { join } from "path";
import * as ts from "typescript";
import { parse } from "yaml";

const ROOT = join(__dirname, "../..");
const POLICY = join(ROOT, "policy");
const manifest = JSON.parse(readFileSync(join(POLICY, "package.json"), "utf8")) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
const dependencies = manifest.dependencies ?? {};

/** Every .ts file of the pack. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? (e.name === "node_modules" ? [] : sources(join(dir, e.name))) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** The npm packages the pack imports (`@pulumi/policy/proxy` is the package `@pulumi/policy`). */
function importedPackages(): string[] {
  const specifiers = sources(POLICY).flatMap((f) => ts.preProcessFile(readFileSync(f, "utf8"), true, true).importedFiles.map((i) => i.fileName));
  const packages = specifiers
    .filter((s) => !s.startsWith(".") && !s.startsWith("node:") && !builtinModules.includes(s.split("/")[0]))
    .map((s) => s.split("/").slice(0, s.startsWith("@") ? 2 : 1).join("/"));
  return [...new Set(packages)].sort();
}

/**
 * What runs the pack beyond what it imports: @pulumi/pulumi's run-policy-pack starts it, and
 * with PulumiPolicy.yaml's `typescript: true` it compiles the source with the pack's own
 * typescript and ts-node (without them, a vendored TypeScript 3.8), type-checking it, and the
 * pack uses Node's Buffer.
 */
function runtimePackages(): string[] {
  const runtime = (parse(readFileSync(join(POLICY, "PulumiPolicy.yaml"), "utf8")) as { runtime: { name: string; options?: { typescript?: boolean } } }).runtime;
  expect(runtime.name).toBe("nodejs");
  return ["@pulumi/pulumi", ...(runtime.options?.typescript === true ? ["@types/node", "ts-node", "typescript"] : [])];
}

describe("the policy pack's package.json", () => {
  it("has every package the pack imports as a dependency", () => {
    const imported = importedPackages();
    expect(imported).toEqual(expect.arrayContaining(["@pulumi/policy"]));
    expect(imported.filter((p) => !(p in dependencies))).toEqual([]);
  });

  it("has what runs it from TypeScript as dependencies too, and nothing else", () => {
    expect(Object.keys(dependencies).sort()).toEqual([...new Set([...importedPackages(), ...runtimePackages()])].sort());
    expect(manifest.devDependencies).toBeUndefined();
  });

  it("pins each at the exact version this repository's lock resolves", () => {
    const pinned = Object.entries(dependencies).map(([name, version]) => ({ name, version }));
    expect(pinned.length).toBeGreaterThan(0);
    expect(pinned).toEqual(pinned.map(({ name }) => ({ name, version: lock.packages[`node_modules/${name}`]?.version })));
  });
});
