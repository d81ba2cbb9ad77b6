/**
 * The upgrade onto the package component, under the real engine: a stack as the last release
 * before the component left it (every resource at the top of the stack, the steps under their
 * former type, providers named by their package), then a `pulumi up` of today's program. The
 * component's aliases must make the real engine take every old resource over: the component
 * is the one new resource, nothing is replaced or deleted, and the run after changes nothing.
 *
 * The old stack is built with the real CLI: today's first deployment, exported, each URN
 * moved back where that release had it (tests/helpers/legacyLayout.ts; the URNs must be
 * exactly the ones that release gave, tests/day2/fixtures/pre-package-urns.json), imported.
 * tests/day2/packageUpgrade.test.ts asks the same of the emulation.
 */
import * as fs from "fs";
import * as path from "path";
import { knownDifference } from "../../tools/lib/engineCompare";
import { RealStack, toolchainBin } from "../../tools/lib/realEngine";
import { TestConfig } from "../helpers/stack";
import { TOP, legacyUrn } from "../helpers/legacyLayout";
import { describeReal } from "./dayTwo";

const FIXTURE = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "day2", "fixtures", "pre-package-urns.json"), "utf8")) as Record<string, { configuration: TestConfig; urns: string[] }>;
const bin = toolchainBin() ?? "";
const DEFAULT_PROVIDER = /::pulumi:providers:[^:]+::default(_\d+_\d+_\d+)?$/;
/** The fixture's stack name, which its URNs carry. */
const STACK = "test";

interface StateResource {
  urn: string;
  type: string;
  parent?: string;
  [key: string]: unknown;
}

/** Resources added after that release (the host step, the drift check): the upgrade creates them. */
const ADDED_SINCE = /::openclaw-gateway-(host|drift-check)$/;

/** The exported deployment with every resource where the release before the component had it. */
function toLegacyLayout(exported: string): { state: string; urns: string[] } {
  const doc = JSON.parse(exported) as { deployment: { resources: StateResource[] } };
  const added = new Set(doc.deployment.resources.filter((r) => ADDED_SINCE.test(r.urn)).map((r) => r.urn));
  const resources = doc.deployment.resources.filter((r) => !added.has(r.urn));
  const component = resources.find((r) => r.type === TOP);
  const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  if (!component || !stack) throw new Error("the exported state has no component or no stack");
  // References kept: not to the component, not to a resource the old release did not have.
  const current = (u: string) => u !== component.urn && !added.has(u);
  const moved = new Map(resources.filter((r) => r !== component).map((r) => [r.urn, legacyUrn(r.urn)]));
  // Every reference (parent, provider "urn::id", dependencies) follows the resource it names.
  const rewrite = (text: string) => text.replace(/"(urn:pulumi:[^"]*?)(::[0-9a-f-]{36})?"/g, (whole, urn: string, id: string | undefined) => (moved.has(urn) ? `"${moved.get(urn)}${id ?? ""}"` : whole));
  doc.deployment.resources = resources
    .filter((r) => r !== component)
    .map((r) => {
      const out = JSON.parse(rewrite(JSON.stringify(r))) as StateResource;
      const legacyType = out.urn.split("::")[2].split("$").pop() ?? out.type;
      out.type = legacyType;
      if (r.parent === component.urn) out.parent = stack.urn;
      if (Array.isArray(r.dependencies)) out.dependencies = (r.dependencies as string[]).filter(current).map((u) => moved.get(u) ?? u);
      if (r.propertyDependencies && typeof r.propertyDependencies === "object") {
        const deps = r.propertyDependencies as Record<string, string[]>;
        out.propertyDependencies = Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.filter(current).map((u) => moved.get(u) ?? u)]));
      }
      return out;
    });
  return { state: JSON.stringify(doc), urns: doc.deployment.resources.map((r) => r.urn).sort() };
}

describeReal("the upgrade onto the package component, under the real engine", () => {
  for (const name of ["hetzner/supplied", "digitalocean/minted-carry"]) {
    it(`${name}: every resource is taken over by its alias; only the component and the resources added since are new`, () => {
      const { configuration, urns } = FIXTURE[name];
      const stack = RealStack.create(bin, STACK);
      try {
        stack.applyConfig(configuration.plain ?? {}, configuration.secret ?? {});
        stack.up();
        const legacy = toLegacyLayout(stack.exportState());
        // The engine's default providers are the real state's own (the emulation models none).
        expect(legacy.urns.filter((u) => !DEFAULT_PROVIDER.test(u))).toEqual(urns);
        const file = path.join(stack.dir, "legacy.json");
        fs.writeFileSync(file, legacy.state);
        stack.pulumi(["stack", "import", "--file", file]);
        stack.takeCommandRuns();

        const upgrade = stack.up();
        const changes = upgrade.steps.filter((s) => s.op !== "same" && s.type !== "pulumi:pulumi:Stack" && !knownDifference(s)).map((s) => `${s.name} (${s.type}): ${s.op}`);
        expect(changes.sort()).toEqual(
          [`openclaw (${TOP}): create`, "openclaw-gateway-drift-check (pulumi-nodejs:dynamic:Resource): create", "openclaw-gateway-host (command:remote:Command): create"].sort(),
        );
        // One command ran, the new host step; nothing the old release ran ran again.
        expect(stack.takeCommandRuns().map((c) => `${c.name}: ${c.runs}`)).toEqual(["openclaw-gateway-host: create"]);
        const after = JSON.parse(stack.exportState()) as { deployment: { resources: StateResource[] } };
        expect(after.deployment.resources.filter((r) => r.type !== TOP && !r.urn.includes(`${TOP}$`) && r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:") && !r.urn.endsWith("::default"))).toEqual([]);
        stack.preview(["--expect-no-changes"]);
      } finally {
        stack.dispose();
      }
    });
  }
});
